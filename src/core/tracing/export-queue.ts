import { ExportResultCode } from '@opentelemetry/core';
import { DEFAULT_EXPORT_TIMEOUT_MS, DEFAULT_MAX_EXPORT_BATCH_SIZE, DEFAULT_SCHEDULED_DELAY_MS } from '../constants.js';
import type { Logger } from '../logger.js';
import type { ReadableSpan, SpanExporter } from './sdk-types.js';

export interface ExportQueueOptions {
  maxQueueSize: number;
  maxExportBatchSize?: number;
  /** Delay before a partial batch is sent. 0 sends at the next tick (local mode). */
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
}

/** Counters of what happened to ended spans (for `basalt.stats()` and the drop warning). */
export interface ExportStats {
  /** Spans handed to the exporter that it accepted. */
  exported: number;
  /** Spans dropped because the queue was full (collector slow or down). */
  droppedQueueFull: number;
  /** Spans lost because their export failed or timed out. */
  failedExports: number;
}

/**
 * A bounded export queue in the spirit of OpenTelemetry's `BatchSpanProcessorBase`, with the drop
 * accounting the app can see: past `maxQueueSize` spans are dropped and counted, the first drop and
 * the first failed export are each warned once (§8). One export at a time; nothing ever awaits the
 * network on the app's path, and the timer is `unref`'d so it never keeps the process alive.
 */
export class ExportQueue {
  readonly stats: ExportStats = { exported: 0, droppedQueueFull: 0, failedExports: 0 };
  readonly #exporter: SpanExporter;
  readonly #logger: Logger;
  readonly #maxQueueSize: number;
  readonly #batchSize: number;
  readonly #delay: number;
  readonly #timeout: number;
  #queue: ReadableSpan[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerDelay = 0;
  #inFlight: Promise<void> | undefined;

  constructor(exporter: SpanExporter, logger: Logger, options: ExportQueueOptions) {
    this.#exporter = exporter;
    this.#logger = logger;
    this.#maxQueueSize = options.maxQueueSize;
    this.#batchSize = Math.min(options.maxExportBatchSize ?? DEFAULT_MAX_EXPORT_BATCH_SIZE, options.maxQueueSize);
    this.#delay = options.scheduledDelayMillis ?? DEFAULT_SCHEDULED_DELAY_MS;
    this.#timeout = options.exportTimeoutMillis ?? DEFAULT_EXPORT_TIMEOUT_MS;
  }

  get size(): number {
    return this.#queue.length;
  }

  add(span: ReadableSpan): void {
    if (this.#queue.length >= this.#maxQueueSize) {
      this.stats.droppedQueueFull++;
      this.#logger.once(
        'export.queue-full',
        'warn',
        `Export queue full (${this.#maxQueueSize} spans): dropping spans until the collector catches up. The app is not affected; basalt.stats() counts the drops.`,
      );
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#batchSize) this.#schedule(0);
    else this.#schedule(this.#delay);
  }

  /** Exports everything queued so far, one batch at a time. Resolves when done; never rejects. */
  async drain(): Promise<void> {
    this.#clearTimer();
    // Bounded: every round either exports a batch or waits for the one in flight.
    for (let round = 0; round < 10_000 && (this.#queue.length > 0 || this.#inFlight); round++) {
      await (this.#inFlight ?? this.#exportNext());
    }
  }

  /**
   * Arms the export timer. A sooner request replaces a later one (a full batch must not wait for the
   * partial-batch delay); while an export is in flight, its end reschedules.
   */
  #schedule(delay: number): void {
    if (this.#inFlight) return;
    if (this.#timer) {
      if (delay >= this.#timerDelay) return;
      this.#clearTimer();
    }
    this.#timerDelay = delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#exportNext();
    }, delay);
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #exportNext(): Promise<void> {
    if (this.#inFlight) return this.#inFlight;
    const batch = this.#queue.splice(0, this.#batchSize);
    if (batch.length === 0) return Promise.resolve();
    this.#inFlight = this.#exportBatch(batch).finally(() => {
      this.#inFlight = undefined;
      if (this.#queue.length > 0) this.#schedule(this.#queue.length >= this.#batchSize ? 0 : this.#delay);
    });
    return this.#inFlight;
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
      const timer = setTimeout(
        () => settle(false, new Error(`export timed out after ${this.#timeout} ms`)),
        this.#timeout,
      );
      timer.unref?.();
      try {
        this.#exporter.export(batch, (result) => settle(result.code === ExportResultCode.SUCCESS, result.error));
      } catch (error) {
        settle(false, error);
      }
    });
  }

  #failed(count: number, reason: unknown): void {
    this.stats.failedExports += count;
    const why = reason instanceof Error ? reason.message : String(reason ?? 'unknown error');
    this.#logger.once(
      'export.failed',
      'warn',
      `Exporting spans failed (${why}); ${count} span(s) lost. The app is not affected; basalt.stats() counts further losses.`,
    );
  }
}
