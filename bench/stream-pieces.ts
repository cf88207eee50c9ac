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

import { OpenTelemetry } from '@ai-sdk/otel';
import type { LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { trace } from '@opentelemetry/api';
import { simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { resolveCallOptions } from '../src/adapters/ai-sdk/call-options.js';
import { basaltMiddleware } from '../src/adapters/ai-sdk/index.js';
import { outputMessages } from '../src/adapters/ai-sdk/messages.js';
import { chatRequest } from '../src/adapters/ai-sdk/outcome.js';
import { openOperation } from '../src/core/integration.js';
import { Basalt, startObserve } from '../src/index.js';
import { textStream } from '../test/helpers/ai-sdk-parts.js';
import { CountingExporter, countingProvider } from './fixtures.js';

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
type Setup = { model: unknown; telemetry?: object };
const models = new Map<string, Setup>([['bare', { model: mock }]]);
for (const [name, wrapStream] of Object.entries(variants))
  models.set(name, {
    model: wrapLanguageModel({ model: mock, middleware: { specificationVersion: 'v4', wrapStream } as never }),
  });
models.set('basaltMiddleware', { model: wrapLanguageModel({ model: mock, middleware: middleware as never }) });

// An experiment, not a feature: the same generation span with no stream hop. The middleware opens
// the operation and returns the provider's stream as it is; ai 7's telemetry event at the end of the
// model call (a per-call integration, one call at a time here) ends it with the usage, finish reason
// and output the event carries. What an ai 7 telemetry integration instead of a middleware would cost.
let pending: ReturnType<typeof openOperation> | undefined;
const noHop: WrapStream = async (options) => {
  pending = openOperation(() => request(options));
  return options.doStream();
};
interface CallEnd {
  usage?: { inputTokens?: number; outputTokens?: number };
  finishReason?: string;
  content?: ReadonlyArray<{ type: string; text?: string }>;
}
const endFromEvent = (event: CallEnd) => {
  const text = (event.content ?? []).map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
  pending?.end(() => ({
    attributes: {
      'gen_ai.usage.input_tokens': event.usage?.inputTokens ?? 0,
      'gen_ai.usage.output_tokens': event.usage?.outputTokens ?? 0,
      'gen_ai.response.finish_reasons': [event.finishReason ?? 'stop'],
    },
    content: {
      'gen_ai.output.messages': outputMessages([{ type: 'text', content: text }], event.finishReason),
    },
    output: text,
  }));
  pending = undefined;
};
models.set('no hop: operation ended by ai 7’s onLanguageModelCallEnd (experiment)', {
  model: wrapLanguageModel({ model: mock, middleware: { specificationVersion: 'v4', wrapStream: noHop } as never }),
  telemetry: { isEnabled: true, integrations: [{ onLanguageModelCallEnd: endFromEvent }] },
});

// The contestant the target is set against: the AI SDK's own OpenTelemetry integration, exporting
// into a counting exporter of its own provider.
const otel = countingProvider();
models.set('@ai-sdk/otel (the AI SDK’s own integration)', {
  model: mock,
  telemetry: {
    isEnabled: true,
    integrations: [new OpenTelemetry({ tracer: otel.provider.getTracer('ai') })],
  },
});

async function call({ model, telemetry }: Setup): Promise<void> {
  const reader = streamText({
    model: model as never,
    system: 'Be brief.',
    prompt: 'Where is my order?',
    telemetry: telemetry as never,
  }).textStream.getReader();
  for (;;) if ((await reader.read()).done) return;
}

// The experiment must end its span on every call, or it measures less than it claims.
await call(models.get('no hop: operation ended by ai 7’s onLanguageModelCallEnd (experiment)') as Setup);
if (pending !== undefined) throw new Error('the no-hop experiment left its operation open');

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
    await otel.provider.forceFlush();
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
await call({ model: capture });
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
