import { DEFAULT_LOSS_REPORT_INTERVAL_MS } from '../constants.js';
import type { Logger } from '../logger.js';
import type { ExportStats } from './export-queue.js';

/**
 * OpenTelemetry's drop accounting, told to the app's console: the first drop and the first failed
 * export are each warned once; later losses are counted and reported together, after an export
 * settles, at most once per interval (and at shutdown), so a collector outage costs a few lines.
 */
export class LossReport {
  readonly #logger: Logger;
  readonly #stats: ExportStats;
  readonly #interval: number;
  /** The counters as the last warning told them. */
  readonly #told = { dropped: 0, failed: 0 };
  #toldAt = 0;

  constructor(logger: Logger, stats: ExportStats, interval = DEFAULT_LOSS_REPORT_INTERVAL_MS) {
    this.#logger = logger;
    this.#stats = stats;
    this.#interval = interval;
  }

  dropped(maxQueueSize: number, maxQueueBytes: number): void {
    if (this.#told.dropped > 0) return;
    this.#told.dropped = this.#stats.droppedQueueFull;
    this.#toldAt = Date.now();
    this.#logger.once(
      'export.queue-full',
      'warn',
      `Export queue full (${maxQueueSize} spans or ${mebibytes(maxQueueBytes)} MiB): dropping spans until the collector catches up. The app is not affected; basalt.stats() counts the drops.`,
    );
  }

  failed(count: number, reason: unknown): void {
    if (this.#told.failed > 0) return;
    this.#told.failed = this.#stats.failedExports;
    this.#toldAt = Date.now();
    const why = reason instanceof Error ? reason.message : String(reason ?? 'unknown error');
    this.#logger.once(
      'export.failed',
      'warn',
      `Exporting spans failed (${why}); ${count} span(s) lost. The app is not affected; basalt.stats() counts further losses.`,
    );
  }

  /** Reports the losses since the last warning once the interval has passed. */
  maybeReport(): void {
    if (Date.now() - this.#toldAt >= this.#interval) this.report();
  }

  report(): void {
    const dropped = this.#stats.droppedQueueFull - this.#told.dropped;
    const failed = this.#stats.failedExports - this.#told.failed;
    if (dropped <= 0 && failed <= 0) return;
    this.#told.dropped = this.#stats.droppedQueueFull;
    this.#told.failed = this.#stats.failedExports;
    this.#toldAt = Date.now();
    const parts = [
      dropped > 0 ? `${dropped} span(s) dropped because the export queue was full` : '',
      failed > 0 ? `${failed} span(s) lost in failed exports` : '',
    ].filter(Boolean);
    this.#logger.warn(`${parts.join(' and ')} since the last report. basalt.stats() has the totals.`);
  }
}

/** Bytes in MiB for a message: `16`, `0.5`. */
function mebibytes(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 100) / 100);
}
