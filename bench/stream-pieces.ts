/**
 * Where the per-call overhead of `basaltMiddleware` inside `streamText` comes from (docs/benchmarks.md,
 * "streamText"). Runs from the sources (no build), Node 24 is the one to read:
 *
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/stream-pieces.ts
 *
 * Each variant wraps the same mock model (100 text chunks, no delays) with a middleware that does one
 * more piece of what `basaltMiddleware` does: only the stream hop; the hop and an OpenTelemetry span;
 * the hop and an operation with no attributes; the hop and the operation with the request's
 * attributes and content; the middleware itself. Rounds of 50 calls run inside one open root, the
 * variants interleaved; the median over 25 rounds is printed as overhead over the bare model. Then
 * the operation alone is timed in a warm loop (the same work, with nothing between the calls).
 */

import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { trace } from '@opentelemetry/api';
import { simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { resolveCallOptions } from '../src/adapters/ai-sdk/call-options.js';
import { basaltMiddleware } from '../src/adapters/ai-sdk/index.js';
import { chatRequest } from '../src/adapters/ai-sdk/outcome.js';
import { openOperation } from '../src/core/integration.js';
import { Basalt, startObserve } from '../src/index.js';
import { textStream } from '../test/helpers/ai-sdk-parts.js';
import { CountingExporter } from './fixtures.js';

const FEATURE = 'bench';
const ROUNDS = 30;
const WARMUP_ROUNDS = 5;
const CALLS = 50;

new Basalt({ logLevel: 'error', telemetry: { exporter: new CountingExporter() } });
const parts = textStream('v4', { chunks: Array.from({ length: 100 }, (_, i) => `tok${i} `) });
const mock = new MockLanguageModelV4({
  provider: 'openai.chat',
  modelId: 'gpt-4o',
  doStream: async () => ({
    stream: simulateReadableStream({ chunks: parts, initialDelayInMs: null, chunkDelayInMs: null }),
  }),
});

type StreamResult = { stream: ReadableStream<LanguageModelV4StreamPart> };
// biome-ignore lint/suspicious/noExplicitAny: the middleware options of the mock's spec, loosely typed here
type WrapStream = (options: any) => Promise<StreamResult>;

/** The same kind of hop as `recordedStream`: one read in flight, nothing read ahead. */
function hop(source: ReadableStream<LanguageModelV4StreamPart>): ReadableStream<LanguageModelV4StreamPart> {
  const reader = source.getReader();
  let reading = false;
  return new ReadableStream(
    {
      pull(controller) {
        if (reading) return;
        reading = true;
        reader.read().then(({ done, value }) => {
          reading = false;
          if (done) controller.close();
          else controller.enqueue(value);
        });
      },
    },
    { highWaterMark: 0 },
  );
}

const withHop =
  (before: ((options: { model: never; params: never }) => void) | undefined): WrapStream =>
  async (options) => {
    before?.(options);
    const result: StreamResult = await options.doStream();
    return { ...result, stream: hop(result.stream) };
  };
const request = (options: { model: never; params: never }) =>
  chatRequest(options.model, options.params, resolveCallOptions({ featureSlug: FEATURE }, undefined), true);

const variants: Record<string, WrapStream | undefined> = {
  'stream hop': withHop(undefined),
  'hop + an OpenTelemetry span': withHop(() => trace.getTracer('bench').startSpan('x').end()),
  'hop + an operation, no attributes': withHop(() =>
    openOperation({ who: 'bench', kind: 'generation', name: 'chat gpt-4o' }).end(),
  ),
  'hop + the operation with request attributes and content': withHop((options) =>
    openOperation(() => request(options)).end(),
  ),
};
const middleware = basaltMiddleware({ featureSlug: FEATURE });
const models = new Map<string, unknown>([['bare', mock]]);
for (const [name, wrapStream] of Object.entries(variants))
  models.set(name, wrapLanguageModel({ model: mock, middleware: { specificationVersion: 'v4', wrapStream } as never }));
models.set('basaltMiddleware', wrapLanguageModel({ model: mock, middleware: middleware as never }));

async function call(model: unknown): Promise<void> {
  const reader = streamText({
    model: model as never,
    system: 'Be brief.',
    prompt: 'Where is my order?',
  }).textStream.getReader();
  for (;;) if ((await reader.read()).done) return;
}

const rounds = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, model] of models) {
    const root = startObserve({ name: 'request', featureSlug: FEATURE });
    const started = performance.now();
    await root.run(async () => {
      for (let i = 0; i < CALLS; i++) await call(model);
    });
    const perCall = ((performance.now() - started) * 1000) / CALLS;
    root.end();
    mock.doStreamCalls.length = 0;
    if (round >= WARMUP_ROUNDS) rounds.set(name, [...(rounds.get(name) ?? []), perCall]);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const bare = median(rounds.get('bare') ?? []);
console.log(
  `Node ${process.versions.node}: streamText of 100 chunks, bare ${bare.toFixed(1)} µs/call; overhead (median)`,
);
for (const [name, values] of rounds) {
  if (name !== 'bare') console.log(`  ${name.padEnd(58)} +${(median(values) - bare).toFixed(1)} µs`);
}

// The operation with request attributes and content, opened and ended in a warm loop.
let captured: { model: never; params: never } | undefined;
const capture = wrapLanguageModel({
  model: mock,
  middleware: {
    specificationVersion: 'v4',
    wrapStream: async (options: { model: never; params: never; doStream: () => Promise<StreamResult> }) => {
      captured = options;
      return options.doStream();
    },
  } as never,
});
await call(capture);
const root = startObserve({ name: 'request', featureSlug: FEATURE });
const timings: number[] = [];
root.run(() => {
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) openOperation(() => request(captured as never)).end();
    timings.push(((performance.now() - started) * 1000) / 20_000);
  }
});
root.end();
console.log(`  the same operation in a warm loop (3 × 20,000): ${timings.map((t) => t.toFixed(2)).join(', ')} µs each`);
