import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import {
  DEFAULT_EXPORT_TIMEOUT_MS,
  DEFAULT_MAX_EXPORT_BATCH_SIZE,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_SCHEDULED_DELAY_MS,
} from '../constants.js';
import type { Logger } from '../logger.js';
import { LossReport } from './loss-report.js';
import type { ReadableSpan, SpanExporter } from './sdk-types.js';
import { estimatedSpanBytes } from './span-size.js';

/** How much longer than its deadline the queue waits for an exporter's answer before giving up on it. */
const BACKSTOP_GRACE_MS = 500;

export interface ExportQueueOptions {
  maxQueueSize: number;
  /** Estimated encoded bytes held at most (`span-size.ts`), queued and in flight. Default 16 MiB. */
  maxQueueBytes?: number;
  maxExportBatchSize?: number;
  /** Delay before a partial batch is sent. 0 sends at the next tick (local mode). */
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  /** Least time between two warnings that count the spans lost since the previous one. Default 60 s. */
  lossReportIntervalMillis?: number;
}

/** Counters of what happened to ended spans (for `basalt.stats()` and the drop warning). */
export interface ExportStats {
  /** Spans handed to the exporter that it accepted. */
  exported: number;
  /** Spans dropped because the queue was full (collector slow or down). */
  droppedQueueFull: number;
  /** Spans lost because their export failed or timed out. */
  failedExports: number;
  /** Spans of a Basalt trace that ended after `shutdown()` had finished: too late to export. */
  droppedAfterShutdown: number;
}

/**
 * A bounded export queue in the spirit of OpenTelemetry's `BatchSpanProcessorBase`, with the drop
 * accounting the app can see (§8): spans past `maxQueueSize`, counting those in exports in flight,
 * are dropped and counted. It keeps the safeguards of OpenTelemetry's processor: exports run with
 * tracing suppressed, so an app's HTTP instrumentation does not trace the exporter's own requests;
 * a flush exports what was queued when it was called, all batches at once, and does not wait for
 * spans that end meanwhile; losses are warned about once, then counted again at most every
 * `lossReportIntervalMillis`, never one line per span. Nothing awaits the network on the app's path,
 * and the timers are `unref`'d.
 *
 * Unlike OpenTelemetry's processor, a batch does not wait for the export before it: a full batch
 * leaves at once (one per timer turn, so encoding a burst does not hold the event loop in one
 * piece), a partial one after `scheduledDelayMillis`. So every span is on its way within that delay
 * of its end, and a script that never calls `shutdown()` is not held by a chain of exports one after
 * another (a gRPC call holds the process while it is active). Two bounds, both counting the spans in
 * flight, keep memory and the number of exports in flight bounded: a span count (`maxQueueSize`) and
 * the spans' estimated encoded size (`maxQueueBytes`); a span that would pass either is dropped. The
 * count is large enough for a burst ended in one go (#14: 10,000 spans), the bytes keep a burst of
 * large spans (long prompts) from holding more than a few tens of MB.
 */
export class ExportQueue {
  readonly stats: ExportStats = { exported: 0, droppedQueueFull: 0, failedExports: 0, droppedAfterShutdown: 0 };
  readonly #exporter: SpanExporter;
  readonly #losses: LossReport;
  readonly #maxQueueSize: number;
  readonly #maxQueueBytes: number;
  readonly #batchSize: number;
  readonly #delay: number;
  readonly #timeout: number;
  #queue: ReadableSpan[] = [];
  /** Estimated bytes of the queued spans and of those in exports in flight. */
  #bytes = 0;
  /** The estimate of each queued span, in the queue's order: what leaves subtracts what entered. */
  #sizes: number[] = [];
  /** When the oldest span in the queue was added. */
  #oldestAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  /** Every export not settled yet. */
  readonly #exports = new Set<Promise<void>>();
  /** Spans in those exports. */
  #exporting = 0;

  constructor(exporter: SpanExporter, logger: Logger, options: ExportQueueOptions) {
    this.#exporter = exporter;
    this.#losses = new LossReport(logger, this.stats, options.lossReportIntervalMillis);
    this.#maxQueueSize = options.maxQueueSize;
    this.#maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
    this.#batchSize = Math.min(options.maxExportBatchSize ?? DEFAULT_MAX_EXPORT_BATCH_SIZE, options.maxQueueSize);
    this.#delay = options.scheduledDelayMillis ?? DEFAULT_SCHEDULED_DELAY_MS;
    this.#timeout = options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MS;
  }

  /**
   * Spans not settled yet: queued, or in an export in flight. The last flush at `beforeExit` runs
   * while this is above 0, so a script that ends during an export still waits for it (bounded by the
   * export deadline), although an OTLP/HTTP export holds no reference on the event loop.
   */
  get size(): number {
    return this.#queue.length + this.#exporting;
  }

  /** Estimated encoded bytes held: queued, or in an export in flight. */
  get bytes(): number {
    return this.#bytes;
  }

  add(span: ReadableSpan): void {
    const bytes = estimatedSpanBytes(span);
    if (this.size >= this.#maxQueueSize || this.#bytes + bytes > this.#maxQueueBytes) {
      this.stats.droppedQueueFull++;
      this.#losses.dropped(this.#maxQueueSize, this.#maxQueueBytes);
      return;
    }
    if (this.#queue.length === 0) this.#oldestAt = Date.now();
    this.#bytes += bytes;
    this.#queue.push(span);
    this.#sizes.push(bytes);
    this.#schedule(this.#queue.length >= this.#batchSize ? 0 : this.#delay);
  }

  /**
   * Exports every span queued now, all batches at once (as OpenTelemetry's `forceFlush` does), and
   * waits for those and for the exports already in flight. Spans that end meanwhile are left to the
   * timer, so a flush never chases a stream of new spans. Resolves when done; never rejects.
   */
  async drain(): Promise<void> {
    this.#clearTimer();
    const waits = [...this.#exports];
    // Taken before the first export starts: an exporter may end spans synchronously (§10).
    const queued = this.#queue;
    const sizes = this.#sizes;
    this.#queue = [];
    this.#sizes = [];
    for (let i = 0; i < queued.length; i += this.#batchSize) {
      waits.push(this.#export(queued.slice(i, i + this.#batchSize), sizes.slice(i, i + this.#batchSize)));
    }
    await Promise.all(waits);
  }

  /** Warns with the count of spans lost since the last warning, if any (at shutdown). */
  reportLosses(): void {
    this.#losses.report();
  }

  /** Arms the export timer to fire within `delay`; a sooner request replaces a later one. */
  #schedule(delay: number): void {
    const at = Date.now() + delay;
    if (this.#timer) {
      if (at >= this.#timerAt) return;
      this.#clearTimer();
    }
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#exportDue();
    }, delay);
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Sends one full batch, or the partial rest once its oldest span has waited the delay. More full
   * batches leave on the next turns: a burst is encoded batch by batch, between the app's work.
   */
  #exportDue(): void {
    // The batch is taken first: an exporter may end spans synchronously, which queue again.
    let take = 0;
    if (this.#queue.length >= this.#batchSize) take = this.#batchSize;
    else if (this.#queue.length > 0 && this.#oldestAt + this.#delay <= Date.now()) take = this.#queue.length;
    if (take > 0) this.#export(this.#queue.splice(0, take), this.#sizes.splice(0, take));
    if (this.#queue.length >= this.#batchSize) this.#schedule(0);
    else if (this.#queue.length > 0) this.#schedule(Math.max(0, this.#oldestAt + this.#delay - Date.now()));
  }

  #export(batch: ReadableSpan[], sizes: number[]): Promise<void> {
    this.#exporting += batch.length;
    let bytes = 0;
    for (const size of sizes) bytes += size;
    const work = this.#exportBatch(batch).then(() => {
      this.#exporting -= batch.length;
      this.#bytes -= bytes;
      this.#exports.delete(work);
      this.#losses.maybeReport();
    });
    this.#exports.add(work);
    return work;
  }

  #exportBatch(batch: ReadableSpan[]): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (ok: boolean, reason?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (ok) this.stats.exported += batch.length;
        else this.#failed(batch.length, reason);
        resolve();
      };
      // A backstop for an exporter that never calls back. Basalt's OTLP exporter ends every export by
      // the same deadline itself; the grace lets it, so that the next export never starts while a
      // gRPC call of the previous one still holds the process (grpc-js refs active calls).
      const timer = setTimeout(
        () => settle(false, new Error(`export timed out after ${this.#timeout} ms`)),
        this.#timeout + BACKSTOP_GRACE_MS,
      );
      timer.unref?.();
      // As OpenTelemetry's BatchSpanProcessor does: the exporter's own requests are not traced.
      context.with(suppressTracing(context.active()), () => {
        try {
          this.#exporter.export(batch, (result) => settle(result.code === ExportResultCode.SUCCESS, result.error));
        } catch (error) {
          settle(false, error);
        }
      });
    });
  }

  #failed(count: number, reason: unknown): void {
    this.stats.failedExports += count;
    this.#losses.failed(count, reason);
  }
}
