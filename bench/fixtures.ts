import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/**
 * An exporter that counts spans and drops them: the exporter of every in-process scenario, so no
 * scenario pays for serialization or I/O and memory does not grow with the number of calls.
 */
export class CountingExporter implements SpanExporter {
  spans = 0;
  batches = 0;

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.spans += spans.length;
    this.batches++;
    done({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A TracerProvider of its own for a third-party tracer (the AI SDK's OpenTelemetry integration,
 * Langfuse): OpenTelemetry's BatchSpanProcessor with its defaults into a counting exporter, the
 * same shape as Basalt's own provider (batching processor, bounded queue, counting exporter).
 * Not registered globally: Basalt's provider is the global one.
 */
export function countingProvider(): { provider: BasicTracerProvider; exporter: CountingExporter } {
  const exporter = new CountingExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  return { provider, exporter };
}

/** "exported 6,000 of 6,000 spans" for the detail column: shows nothing was dropped. */
export function exportedOf(exported: number, expected: number): string {
  return `${exported.toLocaleString('en-US')}/${expected.toLocaleString('en-US')} spans exported`;
}
