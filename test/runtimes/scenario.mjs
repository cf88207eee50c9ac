// The same traced work under Node, Bun and Deno, run by test/runtimes/check.ts (see .ci/runtimes)
// from an app that installed basalt-observe from its tarball:
//
//   node scenario.mjs | bun scenario.mjs | deno run -A scenario.mjs
//
// The quick start (a startObserve root with an observe child), generateText and streamText through
// basaltMiddleware (@ai-sdk/openai against the local OpenAI-compatible server at OPENAI_BASE_URL),
// and a LangChain chain with BasaltCallbackHandler; spans go to BASALT_OTEL_EXPORTER_OTLP_ENDPOINT.
// RUNTIME names the run in every span (feature slug), so the check can tell the runs apart.
// NO_SHUTDOWN=1 leaves the exit to the package (its last flush when the event loop empties).
import { createOpenAI } from '@ai-sdk/openai';
import { RunnableLambda } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { Basalt, observe, startObserve } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';

const env = globalThis.process?.env ?? {};
const run = env.RUNTIME ?? 'node';
// A run that hangs is a failure, not a stuck CI job.
const guard = setTimeout(() => {
  console.error(`scenario (${run}) did not finish within 40 s`);
  globalThis.process.exit(2);
}, 40_000);

const basalt = new Basalt({ telemetry: { serviceName: `scenario-${run}` } });
const featureSlug = `runtimes-${run}`;
const identity = { user: { id: `user-${run}` } };

// 1. The quick start: a root with a child.
await startObserve({ name: 'quickstart', featureSlug, identity, input: 'question' }, async () => {
  const answer = await observe({ name: 'compose', kind: 'generation' }, async (span) => {
    span.setOutput('answer');
    return 'answer';
  });
  observe.setOutput(answer);
});

// 2. The AI SDK middleware, generate and stream, each call its own root with identity.
const openai = createOpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: 'test-key' });
const model = wrapLanguageModel({ model: openai.chat('gpt-4o-mini'), middleware: basaltMiddleware({ featureSlug }) });
const generated = await generateText({ model, prompt: 'Say hello', providerOptions: { basalt: { identity } } });
const streamed = streamText({ model, prompt: 'Say hello slowly', providerOptions: { basalt: { identity } } });
let text = '';
for await (const delta of streamed.textStream) text += delta;

// 3. The LangChain handler: a chain of a prompt step and a chat model.
const chat = new FakeListChatModel({ responses: ['Refunds take 5 days.'] });
const chain = RunnableLambda.from((question) => `Answer: ${question}`).pipe(chat);
const reply = await chain.invoke('How long do refunds take?', {
  callbacks: [new BasaltCallbackHandler({ featureSlug, identity })],
  runName: 'refund_chain',
});

clearTimeout(guard);
if (env.NO_SHUTDOWN !== '1') await basalt.shutdown();
console.log(JSON.stringify({ run, generated: generated.text, streamed: text, reply: reply.content }));
