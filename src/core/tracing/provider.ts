import {
  type Context,
  context,
  createContextKey,
  type SpanContext,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ResolvedConfig } from '../config.js';
import { SDK_TYPE, SDK_VERSION } from '../constants.js';
import type { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import { installContextManager } from './context-manager.js';
import { propagatorRegistered } from './diagnose-order.js';
import { createOtlpExporter } from './exporter.js';
import { LocalTraceExporter } from './local-exporter.js';
import type { SpanExporter } from './sdk-types.js';
import { BasaltSpanProcessor } from './span-processor.js';
import { WRITES_TRACE_FILE } from './trace-file.js';

export const TRACER_NAME = 'basalt-observe';

/** The provider side of a started runtime. */
export interface StartedTracing {
  tracer: Tracer;
  /** The processors Basalt spans are exported through (ours, or the ones the app added). */
  processors: BasaltSpanProcessor[];
  /** The provider we created, the only one we ever shut down; `undefined` when the app owns it. */
  provider: BasicTracerProvider | undefined;
  /** Whether the export pipeline is ours (then a last flush at exit is ours to do). */
  owned: boolean;
  /** False when we made the provider on a runtime without AsyncLocalStorage: no context manager. */
  contextManager: boolean;
  /**
   * Set when our provider was registered globally: whether a propagator was registered then (the
   * diagnosis sees an app setup that started later, `diagnose-order.ts`).
   */
  propagatorAtRegistration?: boolean;
}

/**
 * Starts tracing, on the first span rather than at `new Basalt()`: an app that creates the client
 * first and adds a `BasaltSpanProcessor` to its own provider afterwards is still found, and an eager
 * start would have registered our provider globally and made the app's registration fail.
 *
 * When the globally registered provider has a `BasaltSpanProcessor` (found by a probe span, since
 * the package never reaches into a provider it did not create), Basalt spans go through the app's
 * provider. Otherwise the runtime builds its own, installs an AsyncLocalStorage context manager only
 * if none is registered, and registers its provider globally only if none is.
 */
export function startTracing(config: ResolvedConfig, logger: Logger): StartedTracing {
  const found = appProcessors();
  if (found.length > 0) {
    logger.debug("Using the app's TracerProvider, which has a BasaltSpanProcessor.");
    return {
      tracer: trace.getTracer(TRACER_NAME, SDK_VERSION),
      processors: found,
      provider: undefined,
      owned: false,
      contextManager: true,
    };
  }
  const { telemetry } = config;
  const processors = exportersFor(config, logger).map(
    (exporter) =>
      new BasaltSpanProcessor({
        exporter,
        maxQueueSize: telemetry.maxQueueSize,
        maxQueueBytes: telemetry.maxQueueBytes,
        // Local mode prints a trace as soon as its root ends.
        scheduledDelayMillis: telemetry.mode === 'local' ? 0 : undefined,
      }),
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...telemetry.resourceAttributes,
      [ATTR.SERVICE_NAME]: telemetry.serviceName,
      ...basaltResourceAttributes(),
      ...(telemetry.environment ? { [ATTR.DEPLOYMENT_ENVIRONMENT]: telemetry.environment } : {}),
    }),
    spanProcessors: processors,
  });
  // Without one (no AsyncLocalStorage on this runtime), the first root's diagnosis says so once.
  const contextManager = installContextManager();
  // Registered globally only when no other provider is, so third-party spans nest under ours.
  const registered = trace.setGlobalTracerProvider(provider);
  if (!registered) logger.debug('Another TracerProvider is registered: Basalt spans use their own provider.');
  return {
    tracer: provider.getTracer(TRACER_NAME, SDK_VERSION),
    processors,
    provider,
    owned: true,
    contextManager,
    propagatorAtRegistration: registered ? propagatorRegistered() : undefined,
  };
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

function exportersFor(config: ResolvedConfig, logger: Logger): SpanExporter[] {
  const { telemetry } = config;
  if (telemetry.mode === 'custom') return telemetry.exporters;
  if (telemetry.mode === 'otlp' && telemetry.endpoint) {
    return [createOtlpExporter(telemetry.endpoint, config.apiKey, telemetry.headers)];
  }
  logger.once(
    'local-mode',
    'info',
    WRITES_TRACE_FILE
      ? `Local mode: no API key and no endpoint, traces are written to ${telemetry.localTraceFile} and nothing leaves the machine.`
      : 'Local mode: no API key and no endpoint, trace trees are printed to the console and nothing leaves the runtime.',
  );
  return [
    new LocalTraceExporter({
      file: telemetry.localTraceFile,
      maxBytes: telemetry.localTraceMaxBytes,
      print: telemetry.printTraces,
      logger,
    }),
  ];
}

/** What a `BasaltSpanProcessor` writes into when it sees the probe span. */
export interface Probe {
  processors: BasaltSpanProcessor[];
}

const PROBE_KEY = createContextKey('basalt-observe.probe');

/** The probe a span's parent context carries, if it is the probe span. @internal */
export function probeOf(ctx: Context): Probe | undefined {
  return ctx.getValue(PROBE_KEY) as Probe | undefined;
}

/**
 * Asks the globally registered provider which `BasaltSpanProcessor`s it has: a probe span is started
 * under a sampled remote parent (so parent-based samplers record it) and each processor that sees it
 * answers in its `onStart`. The probe is never ended, so no exporter ever receives it.
 */
function appProcessors(): BasaltSpanProcessor[] {
  const probe: Probe = { processors: [] };
  const parent: SpanContext = {
    traceId: randomHex(32),
    spanId: randomHex(16),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  };
  const ctx = trace.setSpanContext(context.active().setValue(PROBE_KEY, probe), parent);
  trace.getTracer(TRACER_NAME, SDK_VERSION).startSpan('basalt-observe.probe', {}, ctx);
  return probe.processors;
}

function randomHex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out.replace(/^0+$/, '1');
}
