import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { CallbackHandler } from '@langfuse/langchain';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import type { BasaltSink } from './ai-sdk.js';
import { FEATURE, IDENTITY } from './ai-sdk.js';
import { countingProvider } from './fixtures.js';
import { type Measured, measure, type Plan } from './harness.js';

/**
 * Ends a timed batch only when every LangChain callback has run: Langfuse's handler is not awaited
 * by LangChain (it runs in LangChain's background queue), so without this its work would partly
 * fall outside the timed region. Ours is awaited (`_awaitHandler: true`) and has nothing pending.
 */
async function settled(batch: () => Promise<bigint>): Promise<bigint> {
  const elapsed = await batch();
  const start = process.hrtime.bigint();
  await awaitAllCallbacks();
  return elapsed + (process.hrtime.bigint() - start);
}

/**
 * `prompt | FakeListChatModel | StringOutputParser` invoked bare, with `BasaltCallbackHandler`, and
 * with Langfuse's `CallbackHandler`. Langfuse traces through `@langfuse/tracing` on a TracerProvider
 * of its own (`setLangfuseTracerProvider`), batching into a counting exporter: nothing leaves the
 * process, and no Langfuse keys are needed.
 */
function benchChain() {
  return ChatPromptTemplate.fromMessages([
    ['system', 'You are a support assistant. Answer in one line.'],
    ['human', '{question}'],
  ])
    .pipe(new FakeListChatModel({ responses: ['Your order ships today; you will get a tracking link by email.'] }))
    .pipe(new StringOutputParser());
}

const INPUT = { question: 'My order #1234 has not arrived yet. What can I do?' };

/**
 * `calls` invokes of the bench chain with `handler` (`bare`, `basalt` or `langfuse`), each batch of
 * 50 settled and flushed: a fixed amount of work for callgrind (bench/instructions.ts).
 */
export async function runChains(handler: string, calls: number, flush: () => Promise<void>): Promise<void> {
  const chain = benchChain();
  const langfuse = countingProvider();
  setLangfuseTracerProvider(langfuse.provider);
  const callbacks =
    handler === 'basalt'
      ? [new BasaltCallbackHandler({ featureSlug: FEATURE, identity: IDENTITY })]
      : handler === 'langfuse'
        ? [new CallbackHandler({ userId: IDENTITY.user.id, sessionId: 'session-1' })]
        : [];
  for (let i = 0; i < calls; i++) {
    await chain.invoke(INPUT, { callbacks });
    if (i % 50 === 49) {
      await awaitAllCallbacks();
      await flush();
      await langfuse.provider.forceFlush();
    }
  }
  await awaitAllCallbacks();
  setLangfuseTracerProvider(null);
  await langfuse.provider.shutdown();
}

export async function benchLangChain(sink: BasaltSink, plan: Plan): Promise<Measured & { openRuns: number }> {
  const chain = benchChain();
  const input = INPUT;

  const basaltHandler = new BasaltCallbackHandler({ featureSlug: FEATURE, identity: IDENTITY });
  const langfuse = countingProvider();
  setLangfuseTracerProvider(langfuse.provider);
  const langfuseHandler = new CallbackHandler({ userId: IDENTITY.user.id, sessionId: 'session-1' });

  const measured = await measure(
    [
      { name: 'bare', call: () => chain.invoke(input), around: settled },
      {
        name: 'basalt',
        call: () => chain.invoke(input, { callbacks: [basaltHandler] }),
        around: settled,
        afterBatch: () => sink.basalt.flush(),
        async exported() {
          await sink.basalt.flush();
          return sink.exporter.spans;
        },
      },
      {
        name: 'langfuse',
        call: () => chain.invoke(input, { callbacks: [langfuseHandler] }),
        around: settled,
        afterBatch: () => langfuse.provider.forceFlush(),
        async exported() {
          await langfuse.provider.forceFlush();
          return langfuse.exporter.spans;
        },
      },
    ],
    plan,
  );
  setLangfuseTracerProvider(null);
  await langfuse.provider.shutdown();
  return { ...measured, openRuns: basaltHandler.openRunCount };
}
