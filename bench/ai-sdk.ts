import { AsyncLocalStorage } from 'node:async_hooks';
import { OpenTelemetry } from '@ai-sdk/otel';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { generateText, simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { type Basalt, startObserve } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { generateResult, textStream } from '../test/helpers/ai-sdk-parts.js';
import { type CountingExporter, countingProvider } from './fixtures.js';
import { type Measured, measure, type Plan, type Variant } from './harness.js';

export const FEATURE = 'bench';
const IDENTITY = { user: { id: 'user-1', name: 'Ada' }, organization: { id: 'org-1' } };
const SYSTEM = 'You are a support assistant. Answer in one line.';
const PROMPT = 'My order #1234 has not arrived yet. What can I do?';

/** What every AI SDK scenario exports through: the Basalt client's counting exporter. */
export interface BasaltSink {
  basalt: Basalt;
  exporter: CountingExporter;
}

/**
 * A mock `ai` 7 model with prebuilt results: `doGenerate` returns one result object, `doStream` a
 * fresh `simulateReadableStream` over one prebuilt part list, without delays. `clear` empties the
 * mock's call log (it records every call), so memory stays flat over long runs.
 */
export function mockModels(chunks: number) {
  const result = generateResult('v4', { text: 'Your order ships today; you will get a tracking link by email.' });
  const parts = textStream('v4', { chunks: Array.from({ length: chunks }, (_, i) => `tok${i} `) });
  const mock = new MockLanguageModelV4({
    provider: 'openai.chat',
    modelId: 'gpt-4o',
    doGenerate: result,
    doStream: async () => ({
      stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }),
    }),
  });
  const middleware = basaltMiddleware({ featureSlug: FEATURE, identity: IDENTITY });
  const wrapped = wrapLanguageModel({ model: mock, middleware });
  // The AI SDK's own middleware plumbing, with no hook: what any middleware costs before its first line.
  const empty = wrapLanguageModel({ model: mock, middleware: { specificationVersion: 'v4' } });
  const clear = () => {
    mock.doGenerateCalls.length = 0;
    mock.doStreamCalls.length = 0;
  };
  return { mock, wrapped, empty, clear };
}

/** Runs a timed batch inside one already-open `startObserve` root (the app opened it per request). */
function insideRoot(batch: () => Promise<bigint>): Promise<bigint> {
  const root = startObserve({ name: 'request', featureSlug: FEATURE, identity: IDENTITY });
  return root.run(batch).finally(() => root.end());
}

async function drain(stream: ReadableStream<unknown>): Promise<void> {
  const reader = stream.getReader();
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

type Call = (
  model: ReturnType<typeof mockModels>['mock'] | ReturnType<typeof mockModels>['wrapped'],
  telemetry?: object,
) => Promise<unknown>;

/**
 * The same call five ways: bare; through `wrapLanguageModel` with an empty middleware; with
 * `basaltMiddleware` inside an open root; with `basaltMiddleware` opening the root itself; with the
 * AI SDK's own OpenTelemetry integration (a per-call `telemetry.integrations`, so the other
 * variants run without it), exporting through a real provider to a counting exporter.
 */
function aiVariants(sink: BasaltSink, chunks: number, call: Call): Variant[] {
  const { mock, wrapped, empty, clear } = mockModels(chunks);
  const otel = countingProvider();
  const integration = new OpenTelemetry({ tracer: otel.provider.getTracer('ai') });
  const basalt = {
    async afterBatch() {
      clear();
      await sink.basalt.flush();
    },
    async exported() {
      await sink.basalt.flush();
      return sink.exporter.spans;
    },
  };
  return [
    { name: 'bare', call: () => call(mock), afterBatch: clear },
    { name: 'empty middleware', call: () => call(empty), afterBatch: clear },
    { name: 'basalt in root', call: () => call(wrapped), around: insideRoot, ...basalt },
    { name: 'basalt standalone', call: () => call(wrapped), ...basalt },
    {
      name: 'ai-sdk otel',
      call: () => call(mock, { isEnabled: true, integrations: [integration] }),
      async afterBatch() {
        clear();
        await otel.provider.forceFlush();
      },
      async exported() {
        await otel.provider.forceFlush();
        return otel.exporter.spans;
      },
    },
  ];
}

export function benchGenerate(sink: BasaltSink, plan: Plan): Promise<Measured> {
  return measure(
    aiVariants(sink, 1, (model, telemetry) => generateText({ model, system: SYSTEM, prompt: PROMPT, telemetry })),
    plan,
  );
}

export function benchStream(sink: BasaltSink, chunks: number, plan: Plan): Promise<Measured> {
  return measure(
    aiVariants(sink, chunks, (model, telemetry) =>
      drain(streamText({ model, system: SYSTEM, prompt: PROMPT, telemetry }).textStream),
    ),
    plan,
  );
}

const CALL_OPTIONS: LanguageModelV4CallOptions = {
  prompt: [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: [{ type: 'text', text: PROMPT }] },
  ],
};

/**
 * Per-chunk cost of the middleware's stream wrapper, at the model level (`doStream` read to the end
 * directly, without `streamText`, whose own per-chunk work would hide ours): streams of `short` and
 * `long` chunks, bare and wrapped. The slope of the overhead between the two lengths is the cost per
 * chunk, with the per-call cost (spans, request attributes) cancelled out.
 */
export function benchChunks(short: number, long: number, plan: Plan): Promise<Measured> {
  const variants: Variant[] = [];
  for (const chunks of [short, long]) {
    const { mock, wrapped, clear } = mockModels(chunks);
    variants.push(
      {
        name: `bare ${chunks}`,
        call: async () => drain((await mock.doStream(CALL_OPTIONS)).stream),
        afterBatch: clear,
      },
      {
        name: `basalt ${chunks}`,
        call: async () => drain((await wrapped.doStream(CALL_OPTIONS)).stream),
        afterBatch: clear,
      },
    );
  }
  return measure(variants, plan);
}

/**
 * The process-wide cost of an AsyncLocalStorage on Node 20: once any ALS has been entered (as
 * OpenTelemetry's context manager is by the first `context.with`), async_hooks promise hooks run
 * for every promise of the process. Bare calls, with no ALS entered vs with one entered, alternating
 * by round. Must run before anything enters the context manager's own ALS, which stays on.
 */
export function benchContextCost(kind: 'generate' | 'stream', chunks: number, plan: Plan): Promise<Measured> {
  const { mock, clear } = mockModels(chunks);
  const call =
    kind === 'generate'
      ? () => generateText({ model: mock, system: SYSTEM, prompt: PROMPT })
      : () => drain(streamText({ model: mock, system: SYSTEM, prompt: PROMPT }).textStream);
  const withAls = async (batch: () => Promise<bigint>) => {
    const storage = new AsyncLocalStorage<true>();
    storage.run(true, () => undefined);
    try {
      return await batch();
    } finally {
      storage.disable();
    }
  };
  return measure(
    [
      { name: 'no ALS', call, afterBatch: clear },
      { name: 'ALS entered', call, around: withAls, afterBatch: clear },
    ],
    plan,
  );
}

export { CALL_OPTIONS, drain, IDENTITY, PROMPT, SYSTEM };

/**
 * How many `JSON.stringify` calls produce a text holding the prompt or the system message during one
 * `generateText` through the middleware opening its own root: the content written once (#14).
 */
export async function countPromptSerializations(sink: BasaltSink): Promise<number> {
  const { wrapped } = mockModels(1);
  await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT }); // warm: nothing lazy counted
  const original = JSON.stringify;
  let count = 0;
  JSON.stringify = function counted(this: unknown, ...args: Parameters<typeof JSON.stringify>) {
    const text = original.apply(this, args);
    if (typeof text === 'string' && (text.includes(PROMPT) || text.includes(SYSTEM))) count++;
    return text;
  } as typeof JSON.stringify;
  try {
    await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
  } finally {
    JSON.stringify = original;
  }
  await sink.basalt.flush();
  return count;
}
