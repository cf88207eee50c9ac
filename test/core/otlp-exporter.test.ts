import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpExporter } from '../../src/core/tracing/exporter.js';
import { type OtlpReceiver, type OtlpReceiverOptions, startOtlpReceiver } from '../helpers/otlp-receiver.js';

// Basalt's OTLP exporter (otlp-exporter.ts, otlp-transports.ts) against a real receiver on 127.0.0.1:
// a hard deadline, retries included, and a shutdown that stops what is in flight.

const API_KEY = 'test-key-123456';
let receiver: OtlpReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** Two real ended spans. */
function endedSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('test');
  tracer.startSpan('one').end();
  tracer.startSpan('two').end();
  return memory.getFinishedSpans();
}

/** Exports `spans` and resolves with the result and how long it took. */
function exportTimed(exporter: ReturnType<typeof createOtlpExporter>, spans = endedSpans()) {
  const started = performance.now();
  return new Promise<{ result: ExportResult; ms: number }>((resolve) =>
    exporter.export(spans, (result) => resolve({ result, ms: performance.now() - started })),
  );
}

describe('Basalt OTLP exporter', () => {
  it('runs 30 exports at once (a burst) without a MaxListenersExceededWarning on the console (#14)', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', delayMs: 100 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const exporter = createOtlpExporter(receiver.endpoint, API_KEY, {});
      const results = await Promise.all(Array.from({ length: 30 }, () => exportTimed(exporter)));
      await exporter.shutdown();
      expect(results.every((r) => r.result.code === ExportResultCode.SUCCESS)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it.each<[string, OtlpReceiverOptions]>([
    ['OTLP/HTTP', { protocol: 'http' }],
    ['OTLP/gRPC', { protocol: 'grpc' }],
  ])(
    'delivers spans over %s with the API key, and the user’s own authorization header wins over it',
    async (_name, options) => {
      receiver = await startOtlpReceiver(options);
      const plain = createOtlpExporter(receiver.endpoint, API_KEY, {});
      const { result } = await exportTimed(plain);
      await plain.shutdown();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(receiver.spans.map((s) => s.name)).toEqual(['one', 'two']);

      const own = createOtlpExporter(receiver.endpoint, API_KEY, {
        Authorization: 'Basic dXNlcjpwYXNz',
        'x-team': 'a',
      });
      expect((await exportTimed(own)).result.code).toBe(ExportResultCode.SUCCESS);
      expect(receiver.requests.map((r) => r.headers.authorization)).toEqual([
        `Bearer ${API_KEY}`,
        'Basic dXNlcjpwYXNz',
      ]);
      expect(receiver.requests[1]?.headers['x-team']).toBe('a');
      await own.shutdown();
    },
  );

  it('retries a collector that answers 503 until the deadline, and ends the export by it', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', status: 503 });
    const exporter = createOtlpExporter(receiver.endpoint, API_KEY, {}, 2_500);
    const { result, ms } = await exportTimed(exporter);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error)).toContain('HTTP 503');
    expect(receiver.requests.length).toBeGreaterThanOrEqual(2);
    expect(ms).toBeLessThan(2_500 + 300);
    await exporter.shutdown();
  });

  it('does not retry a collector that answers 400', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', status: 400 });
    const exporter = createOtlpExporter(receiver.endpoint, API_KEY, {});
    const { result, ms } = await exportTimed(exporter);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(receiver.requests).toHaveLength(1);
    expect(ms).toBeLessThan(1_000);
    await exporter.shutdown();
  });

  it.each<[string, OtlpReceiverOptions]>([
    ['a black hole over OTLP/HTTP', { protocol: 'http', blackHole: true }],
    ['a black hole over OTLP/gRPC', { protocol: 'grpc', blackHole: true }],
    ['a collector answering after 8 s', { protocol: 'http', delayMs: 8_000 }],
    ['a refused connection, between retries', { protocol: 'http', closed: true }],
  ])('aborts an export in flight at once on shutdown: %s', async (_name, options) => {
    receiver = await startOtlpReceiver(options);
    const exporter = createOtlpExporter(receiver.endpoint, API_KEY, {}, 5_000);
    const exported = exportTimed(exporter);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const shutdownAt = performance.now();
    await exporter.shutdown();
    const { result } = await exported;
    const settledAfterShutdown = performance.now() - shutdownAt;
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error)).toContain('shut down');
    expect(settledAfterShutdown).toBeLessThan(200);

    // Afterwards, an export fails at once and sends nothing.
    const requests = receiver.requests.length;
    const after = await exportTimed(exporter);
    expect(after.result.code).toBe(ExportResultCode.FAILED);
    expect(after.ms).toBeLessThan(50);
    expect(receiver.requests).toHaveLength(requests);
  });
});
