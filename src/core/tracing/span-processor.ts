import { type Context, TraceFlags } from '@opentelemetry/api';
import { DEFAULT_FLUSH_TIMEOUT_MS, DEFAULT_MAX_QUEUE_SIZE } from '../constants.js';
import { Logger, type LogLevel } from '../logger.js';
import { AiSdkTelemetryFold, guardedContent, guardsContent, isAiSdkSpan } from './ai-sdk-telemetry.js';
import { ATTR } from './attributes.js';
import { getTraceState } from './context.js';
import { ExportQueue, type ExportStats } from './export-queue.js';
import { createBasaltExporter } from './exporter.js';
import { probeOf } from './provider.js';
import { currentRuntime, packageLogger } from './runtime.js';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from './sdk-types.js';

export interface BasaltSpanProcessorOptions {
  /** Where spans go. Default: `createBasaltExporter()` (Basalt via OTLP, or the local trace file). */
  exporter?: SpanExporter;
  /** Spans held for export at most, queued and in flight. Default 20480. */
  maxQueueSize?: number;
  /** Estimated encoded bytes of the spans held for export at most, queued and in flight. Default 16 MiB. */
  maxQueueBytes?: number;
  maxExportBatchSize?: number;
  scheduledDelayMillis?: number;
  exportTimeoutMillis?: number;
  /**
   * Export only the spans of Basalt traces (the ones under a `startObserve` root). Default `true`:
   * the app's other spans (health checks, unrelated HTTP calls) are not sent to Basalt.
   */
  onlyBasaltSpans?: boolean;
  /** Level of the processor's own messages (queue full, failed exports). Default: the client's, else `BASALT_LOG_LEVEL`, else `warn`. */
  logLevel?: LogLevel;
}

/**
 * Stamps the Basalt trace values (§5: feature slug, experiment, identity, should_evaluate) on every
 * span started inside a `startObserve` root, third-party spans included, and exports through a
 * bounded queue. Add it to a TracerProvider you own and Basalt uses your provider.
 *
 * @example
 * registerOTel({ serviceName: 'web', spanProcessors: [new BasaltSpanProcessor()] }); // @vercel/otel
 */
export class BasaltSpanProcessor implements SpanProcessor {
  readonly #queue: ExportQueue;
  readonly #exporter: SpanExporter;
  readonly #onlyBasalt: boolean;
  readonly #logger: Logger;
  readonly #aiSdk = new AiSdkTelemetryFold();
  #shutdown: Promise<void> | undefined;

  /**
   * Reads no environment but through `createBasaltExporter` (when no `exporter` is given), and
   * registers nothing: the runtime finds the processor in the app's provider when tracing starts.
   */
  constructor(options: BasaltSpanProcessorOptions = {}) {
    this.#logger = options.logLevel ? new Logger(options.logLevel) : packageLogger();
    this.#exporter = options.exporter ?? createBasaltExporter();
    this.#onlyBasalt = options.onlyBasaltSpans ?? true;
    this.#queue = new ExportQueue(this.#exporter, this.#logger, {
      maxQueueSize: options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE,
      maxQueueBytes: options.maxQueueBytes,
      maxExportBatchSize: options.maxExportBatchSize,
      scheduledDelayMillis: options.scheduledDelayMillis,
      exportTimeoutMillis: options.exportTimeoutMillis,
    });
  }

  /** What happened to ended spans so far: exported, dropped (queue full), lost (failed exports). */
  get stats(): Readonly<ExportStats> {
    return this.#queue.stats;
  }

  /** Spans not settled yet: waiting in the queue or in an export in flight. */
  get queued(): number {
    return this.#queue.size;
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const probe = probeOf(parentContext);
      if (probe) {
        probe.processors.push(this);
        return;
      }
      const state = getTraceState(parentContext);
      if (!state) return;
      span.setAttributes(state.attributes());
      this.#aiSdk.started(span, parentContext);
    } catch (error) {
      this.#logger.once('processor.onStart', 'warn', `Could not stamp a span: ${String(error)}`);
    }
  }

  onEnd(span: ReadableSpan): void {
    // A sampler's RECORD decision: the span was recorded for local use, not to be exported.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#onlyBasalt && span.attributes[ATTR.IN_TRACE] !== true) return;
    if (this.#shutdown) {
      // Too late to export, but never lost silently (#10.3).
      this.#queue.stats.droppedAfterShutdown++;
      this.#logger.once(
        'export.after-shutdown',
        'warn',
        'A span ended after basalt.shutdown(): it is not exported. basalt.stats().droppedAfterShutdown counts such spans.',
      );
      return;
    }
    this.#queue.add(this.#guarded(this.#aiSdk.exported(span)));
  }

  /** An AI SDK span with Basalt's content settings applied (SPEC §9); any other span as it is. */
  #guarded(span: ReadableSpan): ReadableSpan {
    const telemetry = currentRuntime()?.telemetry;
    if (telemetry === undefined || !guardsContent(telemetry) || !isAiSdkSpan(span)) return span;
    return guardedContent(span, telemetry);
  }

  /**
   * Exports what has ended when it is called (not what ends meanwhile); resolves within `timeoutMs`
   * even when the collector hangs, and never rejects.
   */
  forceFlush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    return withTimeout(this.#queue.drain(), timeoutMs);
  }

  /**
   * Flushes, then shuts the exporter down, all within `timeoutMs`. The exporter's shutdown is called
   * even when the flush gave up: Basalt's OTLP exporter then aborts the exports still in flight, so
   * nothing of ours keeps the process alive once this resolves (§8). Idempotent: every call returns
   * the first call's promise.
   */
  shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    this.#shutdown ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      await this.forceFlush(timeoutMs);
      await withTimeout(
        Promise.resolve().then(() => this.#exporter.shutdown()),
        Math.max(0, deadline - Date.now()),
      );
      this.#queue.reportLosses();
    })();
    return this.#shutdown;
  }
}

/**
 * Resolves when `work` settles or after `ms`, whichever is first; never rejects. While it waits, its
 * timer keeps the process alive (at most `ms`): exports hold no reference on the event loop, so
 * without it a script awaiting `flush()` or `shutdown()` would exit before the export is done.
 */
export function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
