/**
 * A fixed amount of work for `valgrind --tool=callgrind` (instruction counts do not depend on the
 * machine's load, unlike timings). Run it at two sizes and divide the difference of the counts by
 * the difference of the work, so that start-up and module loading cancel out (docs/benchmarks.md):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.500 node --import tsx bench/instructions.ts 500
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.2500 node --import tsx bench/instructions.ts 2500
 *   (totals: callgrind_annotate /tmp/cg.N | head)
 *
 * Modes (second argument):
 * - `generate` (default): `N` generateText calls through the middleware opening its own root, each
 *   batch of 50 encoded to OTLP protobuf as the exporter does (not sent: the encoding is the part in
 *   this process); `BENCH_ENCODER=otel` encodes with OpenTelemetry's serializer instead of ours.
 * - `stream-bare` / `stream-basalt` with a third argument `chunks`: 200 `doStream` calls of `chunks`
 *   parts each, read to the end, bare or through the middleware, after the context manager's AsyncLocalStorage was entered (`N` is then the chunk count of
 *   each stream: count at two lengths, the slope is the cost per chunk).
 * - `langchain-bare` / `langchain-basalt` / `langchain-langfuse`: `N` invokes of
 *   `prompt | FakeListChatModel | parser`, bare, with BasaltCallbackHandler or Langfuse's handler.
 */
import { context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { Basalt } from 'basalt-observe';
import { encodeSpans } from '../src/core/tracing/otlp-encode.js';
import { CALL_OPTIONS, drain, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';

/** The exporter's encoder (ours, with its fallback), or OpenTelemetry's with `BENCH_ENCODER=otel`. */
const encode =
  process.env.BENCH_ENCODER === 'otel'
    ? (spans: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(spans)
    : encodeSpans;

class EncodingExporter implements SpanExporter {
  bytes = 0;
  spans = 0;
  constructor(private readonly encode: boolean) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans += spans.length;
    if (this.encode) this.bytes += encode(spans)?.byteLength ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

const size = Number(process.argv[2] ?? 1000);
const mode = process.argv[3] ?? 'generate';
const exporter = new EncodingExporter(mode === 'generate');
const basalt = new Basalt({ logLevel: 'error', telemetry: { exporter } });

if (mode === 'generate') {
  const { wrapped, clear } = mockModels(1);
  for (let i = 0; i < size; i++) {
    await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
    if (i % 50 === 49) {
      clear();
      await basalt.flush();
    }
  }
} else if (mode.startsWith('stream-')) {
  // As in the bench after its first section: the context manager's AsyncLocalStorage entered once
  // (in both arms the same one), so both pay Node 20's promise hooks and the difference is ours alone.
  context.with(context.active(), () => undefined);
  const { mock, wrapped, clear } = mockModels(size);
  const model = mode === 'stream-basalt' ? wrapped : mock;
  for (let i = 0; i < 200; i++) {
    await drain((await model.doStream(CALL_OPTIONS)).stream);
    if (i % 50 === 49) {
      clear();
      await basalt.flush();
    }
  }
} else if (mode.startsWith('langchain-')) {
  const { runChains } = await import('./langchain.js');
  await runChains(mode.slice('langchain-'.length), size, () => basalt.flush());
} else {
  throw new Error(`unknown mode ${mode}`);
}
await basalt.flush();
console.log(`${mode} ${size}: ${exporter.spans} spans, ${exporter.bytes} bytes encoded`);
await basalt.shutdown();
