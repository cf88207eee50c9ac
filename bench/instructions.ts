/**
 * A fixed amount of work for `valgrind --tool=callgrind` (instruction counts do not depend on the
 * machine's load, unlike timings): `N` generateText calls through the middleware opening its own
 * root, each batch of 50 encoded to OTLP protobuf as the exporter does (not sent: the encoding is
 * the part in this process). Run it at two N and divide the difference by the difference of N, so
 * that start-up and module loading cancel out (docs/benchmarks.md):
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.500 node --import tsx bench/instructions.ts 500
 *   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.2500 node --import tsx bench/instructions.ts 2500
 *   (totals: callgrind_annotate /tmp/cg.N | head)
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { Basalt } from 'basalt-observe';
import { mockModels, PROMPT, SYSTEM } from './ai-sdk.js';

class EncodingExporter implements SpanExporter {
  bytes = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.bytes += ProtobufTraceSerializer.serializeRequest(spans)?.byteLength ?? 0;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

const calls = Number(process.argv[2] ?? 1000);
const exporter = new EncodingExporter();
const basalt = new Basalt({ logLevel: 'error', telemetry: { exporter } });
const { wrapped, clear } = mockModels(1);
for (let i = 0; i < calls; i++) {
  await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
  if (i % 50 === 49) {
    clear();
    await basalt.flush();
  }
}
await basalt.flush();
console.log(`${calls} calls, ${basalt.stats().exported} spans, ${exporter.bytes} bytes encoded`);
await basalt.shutdown();
