import { context, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type ResolvedConfig, resolveConfig } from '../config.js';
import { DEFAULT_FLUSH_TIMEOUT_MS, SDK_TYPE, SDK_VERSION } from '../constants.js';
import { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import type { ExportStats } from './export-queue.js';
import { createOtlpExporter } from './exporter.js';
import { basaltGlobal } from './global-state.js';
import { LocalTraceExporter } from './local-exporter.js';
import { BasaltSpanProcessor, OWN_PROCESSOR, withTimeout } from './span-processor.js';

export const TRACER_NAME = 'basalt-observe';

/** The settings the first client gave the process-wide tracing (later clients share them). */
export interface TracingSettings {
  config: ResolvedConfig;
  logger: Logger;
}

/**
 * The process-wide tracing of the package: the tracer `startObserve`/`observe` use, and how to
 * flush and shut it down. Either it owns a TracerProvider (the default), or the app added a
 * `BasaltSpanProcessor` to a provider of its own, and then the runtime only uses the global tracer
 * and never shuts down, replaces or reaches into that provider (§3).
 */
export class TracingRuntime {
  readonly settings: TracingSettings;
  readonly tracer: Tracer | undefined;
  readonly #provider: BasicTracerProvider | undefined;
  readonly #processors: BasaltSpanProcessor[];
  #shutdown: Promise<void> | undefined;

  constructor(settings: TracingSettings) {
    this.settings = settings;
    const { telemetry } = settings.config;
    const external = [...basaltGlobal().externalProcessors] as BasaltSpanProcessor[];
    if (!telemetry.enabled) {
      this.#processors = [];
      this.tracer = undefined;
    } else if (external.length > 0) {
      this.#processors = external;
      this.tracer = trace.getTracer(TRACER_NAME, SDK_VERSION);
      settings.logger.debug("Using the app's TracerProvider, which has a BasaltSpanProcessor.");
    } else {
      this.#processors = exportersFor(settings).map(
        (exporter) =>
          new BasaltSpanProcessor({
            exporter,
            logger: settings.logger,
            maxQueueSize: telemetry.maxQueueSize,
            // Local mode prints a trace as soon as its root ends.
            scheduledDelayMillis: telemetry.mode === 'local' ? 0 : undefined,
            [OWN_PROCESSOR]: true,
          }),
      );
      this.#provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          [ATTR.SERVICE_NAME]: telemetry.serviceName,
          ...basaltResourceAttributes(),
          ...(telemetry.environment ? { [ATTR.DEPLOYMENT_ENVIRONMENT]: telemetry.environment } : {}),
        }),
        spanProcessors: this.#processors,
      });
      installContextManager();
      // Registered globally only when no other provider is, so third-party spans nest under ours.
      if (!trace.setGlobalTracerProvider(this.#provider)) {
        settings.logger.debug('Another TracerProvider is registered: Basalt spans use their own provider.');
      }
      this.tracer = this.#provider.getTracer(TRACER_NAME, SDK_VERSION);
    }
  }

  get enabled(): boolean {
    return this.tracer !== undefined && this.#shutdown === undefined;
  }

  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  /** Summed counters of every processor the runtime exports through. */
  stats(): ExportStats {
    const total: ExportStats = { exported: 0, droppedQueueFull: 0, failedExports: 0 };
    for (const p of this.#processors) {
      total.exported += p.stats.exported;
      total.droppedQueueFull += p.stats.droppedQueueFull;
      total.failedExports += p.stats.failedExports;
    }
    return total;
  }

  /** Spans ended but not yet handed to an exporter. */
  pending(): number {
    return this.#processors.reduce((sum, p) => sum + p.queued, 0);
  }

  flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    return withTimeout(Promise.all(this.#processors.map((p) => p.forceFlush(timeoutMs))), timeoutMs);
  }

  /** Ends tracing for good. Only a provider this runtime created is shut down. Idempotent. */
  shutdown(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<void> {
    this.#shutdown ??= this.#provider ? withTimeout(this.#provider.shutdown(), timeoutMs) : this.flush(timeoutMs);
    return this.#shutdown;
  }
}

/**
 * The resource attributes Basalt expects (§5: `basalt.sdk.type`, `basalt.sdk.version`), for apps
 * that own their TracerProvider and so build the resource themselves.
 *
 * @example
 * registerOTel({ serviceName: 'web', attributes: basaltResourceAttributes(), spanProcessors: [new BasaltSpanProcessor()] });
 */
export function basaltResourceAttributes(): Record<string, string> {
  return { [ATTR.SDK_TYPE]: SDK_TYPE, [ATTR.SDK_VERSION]: SDK_VERSION };
}

function exportersFor({ config, logger }: TracingSettings): SpanExporter[] {
  const { telemetry } = config;
  if (telemetry.mode === 'custom') return telemetry.exporters;
  if (telemetry.mode === 'otlp' && telemetry.endpoint) {
    return [createOtlpExporter(telemetry.endpoint, config.apiKey, telemetry.headers)];
  }
  logger.once(
    'local-mode',
    'info',
    `Local mode: no API key and no endpoint, traces are written to ${telemetry.localTraceFile} and nothing leaves the machine.`,
  );
  return [new LocalTraceExporter({ file: telemetry.localTraceFile, print: telemetry.printTraces, logger })];
}

/** AsyncLocalStorage context, unless the app registered a context manager already. */
function installContextManager(): void {
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

/** The runtime, created from the first client's settings (or the environment) on first use. */
export function getRuntime(): TracingRuntime {
  const slot = basaltGlobal();
  if (!slot.runtime) {
    const settings = (slot.settings as TracingSettings | undefined) ?? defaultSettings();
    slot.settings = settings;
    const runtime = new TracingRuntime(settings);
    slot.runtime = runtime;
    if (runtime.enabled) installExitFlush();
  }
  return slot.runtime as TracingRuntime;
}

const EXIT_FLUSH = Symbol.for('basalt-observe.exit-flush');

/**
 * One `beforeExit` listener per process (not per runtime): a last flush when the event loop empties,
 * for scripts that never call shutdown(). A flush with nothing queued schedules no work, so the
 * listener cannot keep the process alive.
 */
function installExitFlush(): void {
  const proc = process as NodeJS.Process & { [EXIT_FLUSH]?: true };
  if (proc[EXIT_FLUSH]) return;
  proc[EXIT_FLUSH] = true;
  process.on('beforeExit', () => {
    const runtime = basaltGlobal().runtime as TracingRuntime | undefined;
    if (runtime && !runtime.isShutdown && runtime.pending() > 0) void runtime.flush();
  });
}

function defaultSettings(): TracingSettings {
  const config = resolveConfig();
  return { config, logger: new Logger(config.logLevel, [config.apiKey]) };
}
