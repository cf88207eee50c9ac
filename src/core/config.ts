import {
  checkObject,
  type Env,
  envBool,
  envNumber,
  fromOptionOrEnv,
  nonEmpty,
  optionString,
  positiveInt,
  productionLooking,
  serverlessPlatform,
  validLogLevel,
  validUrl,
} from './config-values.js';
import {
  DEFAULT_API_URL,
  DEFAULT_LOCAL_TRACE_FILE,
  DEFAULT_LOCAL_TRACE_MAX_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_OTLP_ENDPOINT,
  MIN_LOCAL_TRACE_MAX_BYTES,
} from './constants.js';
import { otelEnvEndpoint, otelResourceAttributes, tracesUrl } from './endpoint.js';
import { BasaltConfigError } from './errors.js';
import type { LogLevel } from './logger.js';
import { platformWarnings } from './platform.js';
import type { SpanExporter } from './tracing/sdk-types.js';
import { describeValue } from './values.js';

/** What `mask` is told about the value it receives. */
export interface MaskInfo {
  /** Which part of the span the value is about to become. */
  field: 'input' | 'output' | 'metadata';
  /** The span's name. */
  spanName: string;
}

/** Rewrites a value before it leaves the process (SPEC §9). Runs before serialization. */
export type MaskFunction = (value: unknown, info: MaskInfo) => unknown;

export interface TelemetryOptions {
  /** Turns tracing on or off. Default `true` (env `BASALT_TELEMETRY_ENABLED`). */
  enabled?: boolean;
  /** OTLP endpoint. Default env `BASALT_OTEL_EXPORTER_OTLP_ENDPOINT`, else Basalt's when an API key is set. */
  endpoint?: string;
  /** Extra headers (HTTP) or metadata (gRPC) sent with every export. */
  headers?: Record<string, string>;
  /** `service.name` of the resource. Default env `OTEL_SERVICE_NAME`, else `basalt-app`. */
  serviceName?: string;
  /** `deployment.environment.name` of the resource. Default env `BASALT_ENVIRONMENT`. */
  environment?: string;
  /** Replaces the default exporter(s). */
  exporter?: SpanExporter | SpanExporter[];
  /** Share of traces evaluated by Basalt, in [0, 1]. Default env `BASALT_SAMPLE_RATE`, else 0. */
  sampleRate?: number;
  /** Record inputs (prompts, arguments). Default `true`. */
  recordInputs?: boolean;
  /** Record outputs (completions, results). Default `true`. */
  recordOutputs?: boolean;
  /** Byte cap of each input/output attribute. Default 32 KiB, then truncated with a marker. */
  maxPayloadBytes?: number;
  /** Applied to every input, output and metadata value before export. */
  mask?: MaskFunction;
  /** Spans held for export at most (queued and in flight); past it they are dropped and counted. Default 20480. */
  maxQueueSize?: number;
  /** Estimated encoded bytes of the spans held for export at most; past it they are dropped and counted. Default 16 MiB. */
  maxQueueBytes?: number;
  /**
   * Local mode: the JSON-lines trace file. It holds prompts and answers: keep `.basalt/` out of git.
   * Default env `BASALT_LOCAL_TRACE_FILE`, else `.basalt/traces.jsonl`.
   */
  localTraceFile?: string;
  /**
   * Local mode: the size in bytes at which the trace file is renamed to `<file>.1` (replacing the
   * previous one) and a new file is started, so the two files hold at most about twice this.
   * Default 10 MiB (env `BASALT_LOCAL_TRACE_MAX_BYTES`); at least 1024.
   */
  localTraceMaxBytes?: number;
  /** Local mode: print each trace as a tree when it ends. Default `true` (env `BASALT_PRINT_TRACES`). */
  printTraces?: boolean;
}

export interface BasaltOptions {
  /** Default env `BASALT_API_KEY`. Without one, experiments and tracing run in local mode (SPEC §8). */
  apiKey?: string;
  /** Default env `BASALT_API_URL`, else `https://api.getbasalt.ai`. */
  apiUrl?: string;
  telemetry?: TelemetryOptions;
  /** Default env `BASALT_LOG_LEVEL`, else `warn`. */
  logLevel?: LogLevel;
  /** Timeout of a Basalt API request in milliseconds. Default 10 000. */
  timeoutMs?: number;
}

export type ExportMode = 'otlp' | 'local' | 'custom' | 'disabled';

export interface ResolvedTelemetry {
  enabled: boolean;
  mode: ExportMode;
  endpoint: string | undefined;
  headers: Record<string, string>;
  serviceName: string;
  /** From `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes: Record<string, string>;
  environment: string | undefined;
  exporters: SpanExporter[];
  sampleRate: number;
  recordInputs: boolean;
  recordOutputs: boolean;
  maxPayloadBytes: number;
  mask: MaskFunction | undefined;
  maxQueueSize: number;
  maxQueueBytes: number;
  localTraceFile: string;
  localTraceMaxBytes: number;
  printTraces: boolean;
}

export interface ResolvedConfig {
  apiKey: string | undefined;
  /** What the user should hear once (an empty key given, local mode in production). */
  warnings: string[];
  apiUrl: string;
  logLevel: LogLevel;
  timeoutMs: number;
  /** The serverless platform the environment names (`VERCEL`, `AWS_LAMBDA_FUNCTION_NAME`, …), if any. */
  platform: string | undefined;
  /**
   * The setting `telemetry.endpoint` came from, as messages name it (the option, a variable, or
   * Basalt's default with an API key); not part of `telemetry`, so that two clients sending to the
   * same endpoint from different settings are not told their settings differ.
   */
  endpointSetting: string | undefined;
  telemetry: ResolvedTelemetry;
}

/** Resolves options and environment into one validated config: where every Basalt and OpenTelemetry variable is read (the printed tree alone reads `NO_COLOR`/`FORCE_COLOR`). */
export function resolveConfig(options: BasaltOptions = {}, env: Env = processEnv()): ResolvedConfig {
  const o = checkObject(options, 'new Basalt() options', 'an object such as { apiKey }');
  const t = checkObject(o.telemetry ?? {}, 'telemetry', 'an object');
  const warnings: string[] = [];
  const apiKey = optionString(o.apiKey, 'apiKey') ?? nonEmpty(env.BASALT_API_KEY);
  if (o.apiKey !== undefined && nonEmpty(o.apiKey as string) === undefined) {
    warnings.push('apiKey was passed but is empty: experiments and tracing run in local mode.');
  }
  const apiUrl = fromOptionOrEnv(o.apiUrl, 'apiUrl', env, 'BASALT_API_URL', validUrl) ?? DEFAULT_API_URL;
  const logLevel = fromOptionOrEnv(o.logLevel, 'logLevel', env, 'BASALT_LOG_LEVEL', validLogLevel) ?? 'warn';
  const exporters = t.exporter === undefined ? [] : Array.isArray(t.exporter) ? t.exporter : [t.exporter];
  const enabled = t.enabled ?? envBool('BASALT_TELEMETRY_ENABLED', env) ?? true;
  const basaltEndpoint = fromOptionOrEnv(
    t.endpoint,
    'telemetry.endpoint',
    env,
    'BASALT_OTEL_EXPORTER_OTLP_ENDPOINT',
    validUrl,
  );
  // OpenTelemetry's own variables stand in only without a Basalt key: with one, spans go to Basalt
  // unless a Basalt setting says otherwise (docs/decisions.md).
  const otel = basaltEndpoint || apiKey ? undefined : otelEnvEndpoint(env);
  const endpoint =
    basaltEndpoint ??
    (otel ? validUrl(otel.endpoint, otel.variable) : undefined) ??
    (apiKey ? DEFAULT_OTLP_ENDPOINT : undefined);
  const endpointSetting =
    basaltEndpoint !== undefined
      ? optionString(t.endpoint, 'telemetry.endpoint') !== undefined
        ? 'telemetry.endpoint'
        : 'BASALT_OTEL_EXPORTER_OTLP_ENDPOINT'
      : (otel?.variable ?? (apiKey ? "Basalt's default endpoint (used with an API key)" : undefined));
  const mode: ExportMode = !enabled ? 'disabled' : exporters.length > 0 ? 'custom' : endpoint ? 'otlp' : 'local';
  if (mode === 'local' && productionLooking(env)) {
    warnings.push(
      'No BASALT_API_KEY and no endpoint in what looks like production (NODE_ENV=production, VERCEL or AWS_LAMBDA_FUNCTION_NAME): traces go to the local trace file on this machine, not to Basalt.',
    );
  }
  const config: ResolvedConfig = {
    apiKey,
    apiUrl,
    logLevel,
    timeoutMs: positiveInt('timeoutMs', o.timeoutMs ?? 10_000),
    platform: serverlessPlatform(env),
    endpointSetting,
    warnings,
    telemetry: {
      enabled,
      mode,
      endpoint: endpoint === undefined ? undefined : tracesUrl(endpoint),
      headers: { ...otel?.headers, ...t.headers },
      serviceName: nonEmpty(t.serviceName) ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'basalt-app',
      resourceAttributes: otelResourceAttributes(env),
      environment: nonEmpty(t.environment) ?? nonEmpty(env.BASALT_ENVIRONMENT),
      exporters,
      sampleRate:
        t.sampleRate !== undefined
          ? sampleRate(t.sampleRate, 'telemetry.sampleRate')
          : sampleRate(envNumber('BASALT_SAMPLE_RATE', env) ?? 0, 'BASALT_SAMPLE_RATE'),
      recordInputs: t.recordInputs ?? envBool('BASALT_RECORD_INPUTS', env) ?? true,
      recordOutputs: t.recordOutputs ?? envBool('BASALT_RECORD_OUTPUTS', env) ?? true,
      maxPayloadBytes: positiveInt('telemetry.maxPayloadBytes', t.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES, 256),
      mask: t.mask,
      maxQueueSize: positiveInt('telemetry.maxQueueSize', t.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE),
      maxQueueBytes: positiveInt('telemetry.maxQueueBytes', t.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES, 1024),
      localTraceFile: nonEmpty(t.localTraceFile) ?? localTraceFileFrom(env),
      localTraceMaxBytes:
        t.localTraceMaxBytes !== undefined
          ? positiveInt('telemetry.localTraceMaxBytes', t.localTraceMaxBytes, MIN_LOCAL_TRACE_MAX_BYTES)
          : positiveInt(
              'BASALT_LOCAL_TRACE_MAX_BYTES',
              envNumber('BASALT_LOCAL_TRACE_MAX_BYTES', env) ?? DEFAULT_LOCAL_TRACE_MAX_BYTES,
              MIN_LOCAL_TRACE_MAX_BYTES,
            ),
      printTraces: t.printTraces ?? envBool('BASALT_PRINT_TRACES', env) ?? true,
    },
  };
  warnings.push(...platformWarnings(config, t as TelemetryOptions, env));
  return config;
}

/** `process.env`, or nothing on a runtime without `process` (a Worker without nodejs_compat). */
function processEnv(): Env {
  return (globalThis.process as { env?: Env } | undefined)?.env ?? {};
}

/**
 * The local trace file without an option: `BASALT_LOCAL_TRACE_FILE`, else `.basalt/traces.jsonl`
 * (relative to the working directory). Also where `basalt-observe traces` looks by default.
 */
export function localTraceFileFrom(env: Env = processEnv()): string {
  return nonEmpty(env.BASALT_LOCAL_TRACE_FILE) ?? DEFAULT_LOCAL_TRACE_FILE;
}

/** Validates a sample rate (config, env or `evaluationConfig`): a finite number in [0, 1]. */
export function sampleRate(value: unknown, name = 'sampleRate'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new BasaltConfigError(`${name} must be a number between 0 and 1; got ${describeValue(value)}`);
  }
  return value;
}

/** Validates a feature slug where the user passes one: a non-empty string, else a clear error naming `who`. */
export function requireFeatureSlug(value: unknown, who: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BasaltConfigError(
      `${who} needs a featureSlug (the product feature of its traces, e.g. "support-ticket"); got ${describeValue(value)}`,
    );
  }
  if (value.length > MAX_FEATURE_SLUG_CHARS) {
    throw new BasaltConfigError(`${who}: featureSlug is longer than ${MAX_FEATURE_SLUG_CHARS} characters`);
  }
  return value;
}

/** Longest feature slug accepted, as Basalt's experiments API bounds it. */
export const MAX_FEATURE_SLUG_CHARS = 256;

/** Telemetry settings (and the API key) that differ between two configs, by option name. */
export function differingSettings(first: ResolvedConfig, next: ResolvedConfig): string[] {
  const differs: string[] = (Object.keys(next.telemetry) as Array<keyof ResolvedTelemetry>).filter((key) => {
    const a = first.telemetry[key];
    const b = next.telemetry[key];
    if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length || a.some((x, i) => x !== b[i]);
    if (a && b && typeof a === 'object') return JSON.stringify(a) !== JSON.stringify(b);
    return a !== b;
  });
  if (first.apiKey !== next.apiKey) differs.push('apiKey');
  return differs;
}
