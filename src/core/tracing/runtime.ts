import type { Span, Tracer } from '@opentelemetry/api';
import { differingSettings, type ResolvedConfig, type ResolvedTelemetry, resolveConfig } from '../config.js';
import { DEFAULT_FLUSH_TIMEOUT_MS } from '../constants.js';
import { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import type { BasaltSpan } from './basalt-span.js';
import { type Diagnosis, Diagnostics, tracingState } from './diagnose.js';
import { installExitFlush } from './exit-flush.js';
import type { ExportStats } from './export-queue.js';
import { basaltGlobal } from './global-state.js';
import { type StartedTracing, startTracing } from './provider.js';
import { withTimeout } from './span-processor.js';
import { handFlushToRequest } from './wait-until.js';

/** Something open that must end before its trace or the process does: an operation (`operation.ts`). */
export interface Abandonable {
  /** Ends it now, marked cancelled, with what it has seen so far. */
  abandon(): void;
}

/**
 * The process-wide tracing of the package. It belongs to the first `new Basalt()` (or, with no client,
 * to the first recorded span) and is built from that client's settings: logging, stats and calls
 * that record nothing never create it (#9). The TracerProvider behind it starts on the first span
 * (`provider.ts` says why), and is either ours or the app's.
 */
export class TracingRuntime {
  readonly logger: Logger;
  /** What spans are recorded and how (content, sampling, limits). No secrets. */
  readonly telemetry: ResolvedTelemetry;
  // Private, so the API key is on no reachable object (#10.15).
  readonly #config: ResolvedConfig;
  readonly #open = new Set<Abandonable>();
  /** Basalt roots started and not yet ended: `shutdown()` waits for them, then ends them. */
  readonly #roots = new Set<BasaltSpan>();
  #tracing: StartedTracing | undefined;
  #shutdown: Promise<void> | undefined;
  /** Between `shutdown()` and the end of its wait for open roots: their children are still recorded. */
  #draining = false;
  #rootsEnded: (() => void) | undefined;
  /** Flush paths, `registerBasalt()`, and the first root's checks (`diagnose.ts`, #12.3). @internal */
  readonly diagnostics = new Diagnostics();

  constructor(config: ResolvedConfig, logger: Logger) {
    this.#config = config;
    this.telemetry = config.telemetry;
    this.logger = logger;
    this.diagnostics.platform = config.platform;
  }

  /** The config this runtime was built from, to compare a later client's with. @internal */
  sameConfig(other: ResolvedConfig): string[] {
    return differingSettings(this.#config, other);
  }

  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * The tracer of Basalt spans, starting the provider on first use; `undefined` when tracing is off
   * or shut down (a span started after `shutdown()` is said once). While `shutdown()` waits for the
   * traces in flight, their children are still recorded, but no new root is.
   */
  tracer(forRoot = false): Tracer | undefined {
    if (this.#shutdown && (forRoot || !this.#draining)) {
      this.diagnostics.spanAfterShutdown(this.logger);
      return undefined;
    }
    if (!this.telemetry.enabled) return undefined;
    this.#tracing ??= startTracing(this.#config, this.logger);
    if (this.#tracing.owned) installExitFlush();
    return this.#tracing.tracer;
  }

  /** Keeps `op` until it ends, so flush-less exits and `shutdown()` can end it first. */
  track(op: Abandonable): void {
    boundedAdd(this.#open, op);
  }

  untrack(op: Abandonable): void {
    this.#open.delete(op);
  }

  /** Keeps a Basalt root until it ends, so `shutdown()` can wait for it and then end it. */
  trackRoot(root: BasaltSpan): void {
    boundedAdd(this.#roots, root);
    this.diagnostics.onRoot(this, root.otelSpan, this.#tracing);
  }

  /** A root ended: inside a Vercel Functions request, its export is handed to `waitUntil` (#12.1). */
  untrackRoot(root: BasaltSpan): void {
    this.#roots.delete(root);
    if (this.#roots.size === 0) this.#rootsEnded?.();
    this.diagnostics.rootEnded();
    handFlushToRequest(() => this.flush(), this.logger);
  }

  /** How tracing runs (the report's `tracing`), without running the checks. */
  get tracingState(): Diagnosis['tracing'] {
    return tracingState(this.telemetry.enabled, this.isShutdown, this.#tracing);
  }

  /** The self-diagnosis report (`diagnose.ts`); `root` is checked too (the first root's, at its start). */
  diagnose(root?: Span): Diagnosis {
    return this.diagnostics.report(this.telemetry.enabled, this.isShutdown, this.#tracing, root);
  }

  /** Ends every open operation, marked cancelled (at shutdown, and when the event loop is empty). */
  abandonOpen(): void {
    for (const op of [...this.#open]) op.abandon();
  }

  /** Operations started and not yet ended. */
  get openOperations(): number {
    return this.#open.size;
  }

  /** Summed counters of every processor the runtime exports through. */
  stats(): ExportStats {
    const total: ExportStats = { exported: 0, droppedQueueFull: 0, failedExports: 0, droppedAfterShutdown: 0 };
    for (const p of this.#tracing?.processors ?? []) {
      total.exported += p.stats.exported;
      total.droppedQueueFull += p.stats.droppedQueueFull;
      total.failedExports += p.stats.failedExports;
      total.droppedAfterShutdown += p.stats.droppedAfterShutdown;
    }
    return total;
  }

  /** Spans ended but not yet handed to an exporter. */
  pending(): number {
    return (this.#tracing?.processors ?? []).reduce((sum, p) => sum + p.queued, 0);
  }

  flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    this.diagnostics.flushPath ??= 'flush';
    const processors = this.#tracing?.processors ?? [];
    return withTimeout(Promise.all(processors.map((p) => p.forceFlush(timeoutMs))), timeoutMs);
  }

  /**
   * Ends tracing for good, within `timeoutMs` (#10.3). Traces in flight get the first half of it to
   * end by themselves (their children are still recorded meanwhile); then open operations and roots
   * are ended, marked cancelled, so no child is exported without its root; then what is queued is
   * exported and only a provider this runtime created is shut down. Spans that end later are counted
   * in `stats().droppedAfterShutdown`. Idempotent.
   */
  shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    this.#shutdown ??= this.#shutDown(timeoutMs);
    return this.#shutdown;
  }

  async #shutDown(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    this.#draining = true;
    if (this.#roots.size > 0) {
      await withTimeout(new Promise<void>((resolve) => (this.#rootsEnded = resolve)), timeoutMs / 2);
    }
    this.#draining = false;
    this.abandonOpen();
    for (const root of [...this.#roots]) root.setAttribute(ATTR.CANCELLED, true).end();
    const left = Math.max(0, deadline - performance.now());
    const tracing = this.#tracing;
    if (!tracing?.provider) return this.flush(left);
    // Our processors first, with what is left of `timeoutMs` (the provider would give them their 5 s
    // default); shutting a processor down is idempotent, so the provider's own call is a no-op.
    await withTimeout(Promise.all(tracing.processors.map((p) => p.shutdown(left))), left);
    await withTimeout(tracing.provider.shutdown(), Math.max(0, deadline - performance.now()));
  }
}

/**
 * How many open roots (and open operations) the runtime keeps at most. A manual root that is never
 * ended must not grow memory forever: past the bound the oldest is forgotten (not ended).
 */
export const MAX_TRACKED = 10_000;

function boundedAdd<T>(set: Set<T>, item: T): void {
  if (set.size >= MAX_TRACKED) set.delete(set.values().next().value as T);
  set.add(item);
}

/** The runtime, if one exists. Never creates it. */
export function currentRuntime(): TracingRuntime | undefined {
  return basaltGlobal().runtime as TracingRuntime | undefined;
}

/** The runtime a recorded span needs: the existing one, or one built from the environment (no client). */
export function ensureRuntime(): TracingRuntime {
  const slot = basaltGlobal();
  slot.runtime ??= new TracingRuntime(...fromEnvironment());
  return slot.runtime as TracingRuntime;
}

/**
 * Called by `new Basalt()`: the first client's settings make the runtime. A later client with other
 * telemetry settings shares it, and that is said once per process, naming what is ignored (#10.10).
 */
export function installRuntime(config: ResolvedConfig, logger: Logger): TracingRuntime {
  const slot = basaltGlobal();
  warnConfig(config, logger);
  const existing = slot.runtime as TracingRuntime | undefined;
  if (!existing) {
    const runtime = new TracingRuntime(config, logger);
    slot.runtime = runtime;
    return runtime;
  }
  const ignored = existing.sameConfig(config);
  if (ignored.length > 0 && !slot.warned.has('second-client')) {
    slot.warned.add('second-client');
    logger.warn(
      `A Basalt client already set up tracing for this process; this client's ${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored for tracing (experiments still use them).`,
    );
  }
  return existing;
}

let environmentLogger: Logger | undefined;

/**
 * The package's logger: the runtime's, else one at the environment's level (BASALT_LOG_LEVEL). Asking
 * for it never creates the runtime (#10.9).
 */
export function packageLogger(): Logger {
  const runtime = currentRuntime();
  if (runtime) return runtime.logger;
  environmentLogger ??= new Logger(safeLevel());
  return environmentLogger;
}

function safeLevel(): ResolvedConfig['logLevel'] {
  try {
    return resolveConfig().logLevel;
  } catch {
    return 'warn';
  }
}

function fromEnvironment(): [ResolvedConfig, Logger] {
  const config = resolveConfig();
  const logger = new Logger(config.logLevel, [config.apiKey]);
  warnConfig(config, logger);
  return [config, logger];
}

/** The config's warnings (an empty key, local mode in production), each once per process. */
function warnConfig(config: ResolvedConfig, logger: Logger): void {
  const { warned } = basaltGlobal();
  for (const warning of config.warnings) {
    if (warned.has(warning)) continue;
    warned.add(warning);
    logger.warn(warning);
  }
}
