import { type BasaltOptions, resolveConfig } from './config.js';
import { Datasets } from './datasets.js';
import { Experiments } from './experiments.js';
import { Logger } from './logger.js';
import type { BasaltSpan } from './tracing/basalt-span.js';
import type { Diagnosis } from './tracing/diagnose.js';
import type { ExportStats } from './tracing/export-queue.js';
import { type ObserveOptions, observe, type StartObserveOptions, startObserve } from './tracing/observe.js';
import { installRuntime, type TracingRuntime } from './tracing/runtime.js';
import { type WrapHandlerOptions, withFlush } from './wrap-handler.js';

/**
 * The Basalt client: experiments (SPEC §4), datasets (SPEC §11) and the process-wide tracing (SPEC §3). Create one per
 * process and keep it for the app's lifetime; a second client shares the first one's tracing.
 *
 * @throws {BasaltConfigError} when an option or environment variable is invalid.
 * @example
 * const basalt = new Basalt({ apiKey: process.env.BASALT_API_KEY });
 * const exp = await basalt.experiments.create({ featureSlug: 'support-ticket', name: 'Ticket Analysis' });
 * await basalt.startObserve({ name: 'analyse', featureSlug: 'support-ticket', experiment: exp }, async () => work());
 * await basalt.shutdown();
 */
export class Basalt {
  readonly experiments: Experiments;
  readonly datasets: Datasets;
  /** The process-wide tracing: made from this client's settings if it is the first client (#9). */
  readonly #runtime: TracingRuntime;

  constructor(options: BasaltOptions = {}) {
    const config = resolveConfig(options);
    const logger = new Logger(config.logLevel, [config.apiKey]);
    const api = { apiUrl: config.apiUrl, apiKey: config.apiKey, timeoutMs: config.timeoutMs, logger };
    this.experiments = new Experiments(api);
    this.datasets = new Datasets(api);
    this.#runtime = installRuntime(config, logger);
  }

  /** Opens a Basalt root span. See the module-level `startObserve`. */
  startObserve<T>(options: StartObserveOptions, fn: (span: BasaltSpan) => T): T;
  startObserve(options: StartObserveOptions): BasaltSpan;
  startObserve<T>(options: StartObserveOptions, fn?: (span: BasaltSpan) => T): T | BasaltSpan {
    return fn ? startObserve(options, fn) : startObserve(options);
  }

  /** Opens a child span of the active Basalt trace. See the module-level `observe`. */
  observe<T>(options: ObserveOptions, fn: (span: BasaltSpan) => T): T;
  observe(options: ObserveOptions): BasaltSpan;
  observe<T>(options: ObserveOptions, fn?: (span: BasaltSpan) => T): T | BasaltSpan {
    return fn ? observe(options, fn) : observe(options);
  }

  /**
   * Exports every span ended so far. Safe at any time and never rejects; resolves within `timeoutMs`
   * even when the collector hangs. Use it at the end of a serverless invocation (`after()`).
   */
  flush(timeoutMs?: number): Promise<void> {
    return this.#runtime.flush(timeoutMs);
  }

  /** Flushes and ends tracing for good. Call once, at process exit. Idempotent; never rejects. */
  shutdown(timeoutMs?: number): Promise<void> {
    return this.#runtime.shutdown(timeoutMs);
  }

  /** Counters of the export pipeline: spans exported, dropped (queue full) and lost (failed exports). */
  stats(): ExportStats {
    return this.#runtime.stats();
  }

  /**
   * Wraps a serverless handler (AWS Lambda) so that it flushes before it returns: what the
   * invocation recorded is exported before the platform freezes the function. The handler's result
   * and error pass through unchanged; the flush is bounded by `flushTimeoutMs` (default 2 s) and by
   * the invocation's remaining time.
   *
   * @throws {BasaltConfigError} when `handler` is not a function or an option is invalid.
   * @example
   * export const handler = basalt.wrapHandler(async (event) => basalt.startObserve({ name: 'invoke', featureSlug: 'f' }, () => work(event)));
   */
  wrapHandler<H extends (...args: never[]) => unknown>(handler: H, options?: WrapHandlerOptions): H {
    const wrapped = withFlush(handler, (ms) => this.#runtime.flush(ms), options);
    this.#runtime.diagnostics.flushPath ??= 'wrapHandler';
    return wrapped;
  }

  /**
   * Checks how tracing runs in this process and returns what keeps traces from reaching Basalt
   * whole, each finding with its cause and fix (a foreign TracerProvider, two copies of
   * `@opentelemetry/api`, no context manager, spans after `shutdown()`, serverless without a flush).
   * The first root of a process logs the same findings, once each. Never throws.
   *
   * @example
   * for (const f of basalt.diagnose().findings) console.warn(`${f.code}: ${f.cause} ${f.fix}`);
   */
  diagnose(): Diagnosis {
    return this.#runtime.diagnose();
  }
}
