import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { type ExportResult, ExportResultCode, isTracingSuppressed } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_QUEUE_BYTES, DEFAULT_MAX_QUEUE_SIZE } from '../../src/core/constants.js';
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

/** An exporter that holds every batch until the test releases it. */
function heldExporter() {
  const held: Array<(result: ExportResult) => void> = [];
  const exporter: SpanExporter = {
    export(_spans, done) {
      held.push(done);
    },
    async shutdown() {},
  };
  const releaseAll = () => {
    for (const done of held.splice(0)) done({ code: ExportResultCode.SUCCESS });
  };
  return { exporter, held, releaseAll };
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: new Logger('warn', [], (_level, message) => lines.push(message)) };
}

const span = {} as ReadableSpan;
const quiet = new Logger('silent');
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` every 5 ms until it holds or `timeoutMs` passes. */
async function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !predicate() && Date.now() < end; ) await tick(5);
}

describe('ExportQueue', () => {
  it('sends a full batch at once instead of waiting for the partial-batch delay', async () => {
    const { exporter, batches } = countingExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 2048, scheduledDelayMillis: 5_000 });
    const start = performance.now();
    queue.add(span); // arms the 5 s timer for a partial batch
    for (let i = 0; i < 600; i++) queue.add(span);
    await until(() => batches.length > 0);
    expect(batches[0]?.size).toBe(512);
    expect((batches[0]?.at ?? Number.POSITIVE_INFINITY) - start).toBeLessThan(1_000);
    await queue.drain();
  });

  it('drops nothing when 10,000 spans arrive at ~100,000 spans/s and the exporter keeps up', async () => {
    const { exporter, batches } = countingExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 2048 });
    for (let i = 0; i < 10_000; i++) {
      queue.add(span);
      if (i % 100 === 0) await tick(1);
    }
    await queue.drain();
    expect(queue.stats.droppedQueueFull).toBe(0);
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(10_000);
  });

  it('counts spans past the bound as dropped and warns once', async () => {
    const { lines, logger } = recordingLogger();
    const hung: SpanExporter = { export() {}, async shutdown() {} };
    const queue = new ExportQueue(hung, logger, { maxQueueSize: 10, exportTimeoutMillis: 50 });
    for (let i = 0; i < 25; i++) queue.add(span);
    expect(queue.stats.droppedQueueFull).toBe(15);
    expect(lines.filter((l) => l.includes('queue full'))).toHaveLength(1);
    await queue.drain();
    expect(queue.stats.failedExports).toBe(10);
  });
});

describe('ExportQueue › bounds (#14)', () => {
  /** A span as the queue sees it: a name and one string attribute of `chars` characters. */
  const spanOf = (chars: number) =>
    ({ name: 's', attributes: { 'basalt.span.input': 'x'.repeat(chars) } }) as unknown as ReadableSpan;

  it('holds 10,000 small spans ended in one go with the default bounds and exports them all', async () => {
    const { exporter, batches } = countingExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: DEFAULT_MAX_QUEUE_SIZE });
    for (let i = 0; i < 10_000; i++) queue.add(spanOf(200));
    expect(queue.size).toBe(10_000);
    await until(() => batches.reduce((n, b) => n + b.size, 0) >= 9_728);
    // One full batch per timer turn: a burst is encoded piece by piece, not in one long task.
    expect(new Set(batches.map((b) => Math.round(b.at))).size).toBeGreaterThan(1);
    await queue.drain();
    expect(queue.stats).toEqual({ exported: 10_000, droppedQueueFull: 0, failedExports: 0, droppedAfterShutdown: 0 });
    expect(queue.bytes).toBe(0);
  });

  it('bounds the bytes held by large spans with a down collector: past 16 MiB they are dropped and counted', async () => {
    const { lines, logger } = recordingLogger();
    const hung: SpanExporter = { export() {}, async shutdown() {} };
    const queue = new ExportQueue(hung, logger, { maxQueueSize: DEFAULT_MAX_QUEUE_SIZE, exportTimeoutMillis: 50 });
    for (let i = 0; i < 1_000; i++) queue.add(spanOf(32 * 1024));
    const held = queue.size;
    expect(held).toBeGreaterThan(400);
    expect(held).toBeLessThan(520);
    expect(queue.bytes).toBeLessThanOrEqual(DEFAULT_MAX_QUEUE_BYTES);
    expect(queue.stats.droppedQueueFull).toBe(1_000 - held);
    expect(lines).toEqual([expect.stringContaining('Export queue full (20480 spans or 16 MiB)')]);
    await queue.drain();
    expect(queue.stats.failedExports).toBe(held);
    expect(queue.bytes).toBe(0);
    expect(queue.size).toBe(0);
  });

  it('takes spans again once exports in flight settle and free their bytes', async () => {
    const { exporter, held, releaseAll } = heldExporter();
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 100, maxQueueBytes: 20_000 });
    for (let i = 0; i < 10; i++) queue.add(spanOf(1_000)); // about 10.8 KB
    for (let i = 0; i < 10; i++) queue.add(spanOf(1_000)); // 8 fit under 20,000 bytes
    expect(queue.size).toBe(18);
    expect(queue.stats.droppedQueueFull).toBe(2);
    const drained = queue.drain();
    await until(() => held.length === 1);
    releaseAll();
    await drained;
    expect(queue.bytes).toBe(0);
    queue.add(spanOf(1_000));
    expect(queue.size).toBe(1);
    expect(queue.stats.droppedQueueFull).toBe(2);
    const last = queue.drain();
    await until(() => held.length === 1);
    releaseAll();
    await last;
  });
});

describe('ExportQueue › drop reports', () => {
  it('reports the drops after the first warning with their count when a batch is exported, not once per span', async () => {
    const { lines, logger } = recordingLogger();
    const { exporter, held, releaseAll } = heldExporter();
    const queue = new ExportQueue(exporter, logger, { maxQueueSize: 10, lossReportIntervalMillis: 0 });

    for (let i = 0; i < 25; i++) queue.add(span); // 10 queued (a full batch, sent at once), 15 dropped
    await until(() => held.length === 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Export queue full');
    releaseAll();
    await until(() => lines.length === 2);
    expect(lines[1]).toBe(
      '14 span(s) dropped because the export queue was full since the last report. basalt.stats() has the totals.',
    );

    for (let i = 0; i < 1_000; i++) queue.add(span); // 10 queued, 990 dropped
    await until(() => held.length === 1);
    releaseAll();
    await until(() => lines.length === 3);
    expect(lines[2]).toContain('990 span(s) dropped');
    expect(queue.stats).toEqual({ exported: 20, droppedQueueFull: 1_005, failedExports: 0, droppedAfterShutdown: 0 });
    expect(lines).toHaveLength(3);
  });

  it('reports at most once per interval, then tells the rest when asked at shutdown', async () => {
    const { lines, logger } = recordingLogger();
    const { exporter, held, releaseAll } = heldExporter();
    const queue = new ExportQueue(exporter, logger, { maxQueueSize: 10, lossReportIntervalMillis: 60_000 });

    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100; i++) queue.add(span); // 10 queued, 90 dropped, each round
      await until(() => held.length === 1);
      releaseAll();
      await until(() => queue.size === 0 && queue.stats.exported === 10 * (round + 1));
    }
    expect(queue.stats.droppedQueueFull).toBe(450);
    expect(lines).toHaveLength(1);

    queue.reportLosses();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('449 span(s) dropped');
    queue.reportLosses(); // nothing new since
    expect(lines).toHaveLength(2);
  });

  it('counts spans of failed exports in the same report, after their own first warning', async () => {
    const { lines, logger } = recordingLogger();
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('collector said no') }),
      async shutdown() {},
    };
    const queue = new ExportQueue(failing, logger, { maxQueueSize: 10, lossReportIntervalMillis: 60_000 });
    for (let i = 0; i < 30; i++) queue.add(span);
    await queue.drain();
    expect(lines).toEqual([
      expect.stringContaining('Export queue full'),
      expect.stringContaining('Exporting spans failed (collector said no); 10 span(s) lost'),
    ]);
    for (let i = 0; i < 10; i++) queue.add(span);
    await queue.drain();
    queue.reportLosses();
    expect(lines[2]).toBe(
      '19 span(s) dropped because the export queue was full and 10 span(s) lost in failed exports since the last report. basalt.stats() has the totals.',
    );
  });
});

describe('ExportQueue › drain', () => {
  it('exports the spans queued when it is called and does not wait for spans that end during the flush', async () => {
    let producing = true;
    let exported = 0;
    const queue: ExportQueue = new ExportQueue(
      {
        // Every export takes 10 ms, and meanwhile the app ends 600 more spans.
        export(spans, done) {
          if (producing) for (let i = 0; i < 600; i++) queue.add(span);
          setTimeout(() => {
            exported += spans.length;
            done({ code: ExportResultCode.SUCCESS });
          }, 10);
        },
        async shutdown() {},
      },
      quiet,
      { maxQueueSize: 100_000 },
    );
    for (let i = 0; i < 1_000; i++) queue.add(span);

    const drained = queue.drain().then(() => {
      producing = false;
      return 'drained';
    });
    const outcome = await Promise.race([drained, tick(3_000).then(() => 'still draining after 3 s')]);
    producing = false;
    expect(outcome).toBe('drained');
    expect(exported).toBeGreaterThanOrEqual(1_000);

    // What ended during the flush is not lost: a later flush sends it.
    await queue.drain();
    await queue.drain();
    expect(queue.size).toBe(0);
    expect(exported).toBe(queue.stats.exported);
    expect(queue.stats.droppedQueueFull).toBe(0);
  });
});

describe('ExportQueue › suppressed tracing', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('runs every export with tracing suppressed, from the timer and from a flush', async () => {
    const suppressed: boolean[] = [];
    const exporter: SpanExporter = {
      export(_spans, done) {
        suppressed.push(isTracingSuppressed(context.active()));
        done({ code: ExportResultCode.SUCCESS });
      },
      async shutdown() {},
    };
    const queue = new ExportQueue(exporter, quiet, { maxQueueSize: 100, scheduledDelayMillis: 1 });
    queue.add(span);
    await until(() => suppressed.length === 1); // the timer's export
    queue.add(span);
    await queue.drain(); // the flush's export
    expect(suppressed).toEqual([true, true]);
    // The app's own context is left as it was.
    expect(isTracingSuppressed(context.active())).toBe(false);
  });
});
