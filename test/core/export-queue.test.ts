import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { Logger } from '../../src/core/logger.js';
import { ExportQueue } from '../../src/core/tracing/export-queue.js';

/** An exporter that accepts every batch at once and remembers when each arrived. */
function countingExporter() {
  const batches: Array<{ size: number; at: number }> = [];
  const exporter: SpanExporter = {
    export(spans, done) {
      batches.push({ size: spans.length, at: performance.now() });
      done({ code: ExportResultCode.SUCCESS });
    },
    async shutdown() {},
  };
  return { exporter, batches };
}

const span = {} as ReadableSpan;
const quiet = new Logger('silent');

describe('ExportQueue', () => {
  it('sends a full batch at once instead of waiting for the partial-batch delay', async () => {
    const { exporter, batches } = countingExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 2048, scheduledDelayMillis: 5_000 });
    const start = performance.now();
    queue.add(span); // arms the 5 s timer for a partial batch
    for (let i = 0; i < 600; i++) queue.add(span);
    for (let i = 0; i < 100 && batches.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(batches[0]?.size).toBe(512);
    expect((batches[0]?.at ?? Number.POSITIVE_INFINITY) - start).toBeLessThan(1_000);
    await queue.drain();
  });

  it('drops nothing when 10,000 spans arrive at ~100,000 spans/s and the exporter keeps up', async () => {
    const { exporter, batches } = countingExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 2048 });
    for (let i = 0; i < 10_000; i++) {
      queue.add(span);
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await queue.drain();
    expect(queue.stats.droppedQueueFull).toBe(0);
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(10_000);
  });

  it('counts spans past the bound as dropped and warns once', async () => {
    const lines: string[] = [];
    const logger = new Logger('warn', [], (_level, message) => lines.push(message));
    const hung: SpanExporter = { export() {}, async shutdown() {} };
    const queue = new ExportQueue(hung, logger, { maxQueueSize: 10, exportTimeoutMillis: 50 });
    for (let i = 0; i < 25; i++) queue.add(span);
    expect(queue.stats.droppedQueueFull).toBe(15);
    expect(lines.filter((l) => l.includes('queue full'))).toHaveLength(1);
    await queue.drain();
    expect(queue.stats.failedExports).toBe(10);
  });
});
