/**
 * Our OTLP encoder against OpenTelemetry's serializer on bench-like spans (docs/benchmarks.md,
 * docs/decisions.md "Our own OTLP encoder"): the spans of `generateText` calls through the
 * middleware (as `bench/instructions.ts` makes them), 1,000 of them encoded as one request,
 * alternately by each encoder, timed per request (median of the rounds). Checks first that both
 * give the same bytes.
 *
 *   npx tsup --config bench/tsup.config.ts --silent
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/encode.ts
 *   BENCH_ONLY=ours BENCH_ROUNDS=20 TSX_TSCONFIG_PATH=bench/tsconfig.json valgrind --tool=callgrind \
 *     node --import tsx bench/encode.ts     (and BENCH_ROUNDS=120, BENCH_ONLY=otel: instructions per request)
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { Basalt } from 'basalt-observe';
import { encodeTraceRequest } from '../src/core/tracing/otlp-encode.js';
import { mockModels, PROMPT, SYSTEM } from './ai-sdk.js';

const SPANS = 1_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
/** `ours` or `otel`: time that encoder alone (for callgrind: two `BENCH_ROUNDS`, take the difference). */
const ONLY = process.env.BENCH_ONLY;

class Collecting implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

const exporter = new Collecting();
const basalt = new Basalt({ logLevel: 'error', telemetry: { exporter } });
const { wrapped } = mockModels(1);
for (let i = 0; i < SPANS && exporter.spans.length < SPANS; i++) {
  await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
  await basalt.flush();
}
const spans = exporter.spans.slice(0, SPANS);
const otel = (s: ReadableSpan[]) => ProtobufTraceSerializer.serializeRequest(s) as Uint8Array;
const ours = encodeTraceRequest(spans);
if (Buffer.compare(ours, otel(spans)) !== 0) throw new Error('the encoders disagree');

const times: Record<'ours' | 'otel', number[]> = { ours: [], otel: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, encode] of [
    ['ours', encodeTraceRequest],
    ['otel', otel],
  ] as const) {
    if (ONLY && ONLY !== name) continue;
    const start = process.hrtime.bigint();
    encode(spans);
    times[name].push(Number(process.hrtime.bigint() - start) / 1e3);
  }
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1] as number;
if (ONLY) {
  console.log(`${ONLY} only: ${ROUNDS} rounds, median ${median(times[ONLY as 'ours' | 'otel']).toFixed(0)} µs`);
} else {
  const [a, b] = [median(times.ours), median(times.otel)];
  console.log(`${spans.length} spans, ${ours.byteLength} bytes per request, median of ${ROUNDS} rounds`);
  console.log(`ours ${a.toFixed(0)} µs, OpenTelemetry ${b.toFixed(0)} µs, ratio ${(a / b).toFixed(2)}×`);
}
await basalt.shutdown();
