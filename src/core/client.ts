import { type BasaltOptions, type ResolvedConfig, type ResolvedTelemetry, resolveConfig } from './config.js';
import { Experiments } from './experiments.js';
import { Logger } from './logger.js';
import type { BasaltSpan } from './tracing/basalt-span.js';
import type { ExportStats } from './tracing/export-queue.js';
import { basaltGlobal } from './tracing/global-state.js';
import { type ObserveOptions, observe, type StartObserveOptions, startObserve } from './tracing/observe.js';
import { getRuntime, type TracingSettings } from './tracing/provider.js';

/**
 * The Basalt client: experiments (SPEC §4) and the process-wide tracing (SPEC §3). Create one per
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
  readonly #config: ResolvedConfig;
  readonly #logger: Logger;

  constructor(options: BasaltOptions = {}) {
    this.#config = resolveConfig(options);
    this.#logger = new Logger(this.#config.logLevel, [this.#config.apiKey]);
    this.experiments = new Experiments({
      apiUrl: this.#config.apiUrl,
      apiKey: this.#config.apiKey,
      timeoutMs: this.#config.timeoutMs,
      logger: this.#logger,
    });
    const slot = basaltGlobal();
    const first = slot.settings as TracingSettings | undefined;
    if (first) warnIgnored(first.config, this.#config, this.#logger);
    else slot.settings = { config: this.#config, logger: this.#logger } satisfies TracingSettings;
    slot.client ??= this;
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
    return getRuntime().flush(timeoutMs);
  }

  /** Flushes and ends tracing for good. Call once, at process exit. Idempotent; never rejects. */
  shutdown(timeoutMs?: number): Promise<void> {
    return getRuntime().shutdown(timeoutMs);
  }

  /** Counters of the export pipeline: spans exported, dropped (queue full) and lost (failed exports). */
  stats(): ExportStats {
    return getRuntime().stats();
  }
}

/** A second client cannot change the process-wide tracing: say which of its settings are ignored. */
function warnIgnored(first: ResolvedConfig, next: ResolvedConfig, logger: Logger): void {
  const differs = (Object.keys(next.telemetry) as Array<keyof ResolvedTelemetry>).filter((key) => {
    const a = first.telemetry[key];
    const b = next.telemetry[key];
    if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length || a.some((x, i) => x !== b[i]);
    if (a && b && typeof a === 'object') return JSON.stringify(a) !== JSON.stringify(b);
    return a !== b;
  });
  if (first.apiKey !== next.apiKey) differs.push('apiKey' as never);
  if (differs.length > 0) {
    logger.warn(
      `A Basalt client already set up tracing for this process; this client's ${differs.join(', ')} ${differs.length === 1 ? 'is' : 'are'} ignored for tracing (experiments still use them).`,
    );
  }
}
