import {
  DEFAULT_API_URL,
  DEFAULT_LOCAL_TRACE_FILE,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_QUEUE_SIZE,
  DEFAULT_OTLP_ENDPOINT,
} from './constants.js';
import { BasaltConfigError, redactUrl } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import type { SpanExporter } from './tracing/sdk-types.js';

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
  /** Spans held for export at most; past it they are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Local mode: the JSON-lines trace file. Default env `BASALT_LOCAL_TRACE_FILE`, else `.basalt/traces.jsonl`. */
  localTraceFile?: string;
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
  environment: string | undefined;
  exporters: SpanExporter[];
  sampleRate: number;
  recordInputs: boolean;
  recordOutputs: boolean;
  maxPayloadBytes: number;
  mask: MaskFunction | undefined;
  maxQueueSize: number;
  localTraceFile: string;
  printTraces: boolean;
}

export interface ResolvedConfig {
  apiKey: string | undefined;
  apiUrl: string;
  logLevel: LogLevel;
  timeoutMs: number;
  telemetry: ResolvedTelemetry;
}

type Env = Record<string, string | undefined>;

/** Resolves options and environment into one validated config: where every Basalt and OpenTelemetry variable is read (the printed tree alone reads `NO_COLOR`/`FORCE_COLOR`). */
export function resolveConfig(options: BasaltOptions = {}, env: Env = process.env): ResolvedConfig {
  const t = options.telemetry ?? {};
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.BASALT_API_KEY);
  const apiUrl = validUrl('apiUrl', nonEmpty(options.apiUrl) ?? nonEmpty(env.BASALT_API_URL) ?? DEFAULT_API_URL);
  const logLevel = options.logLevel ?? (nonEmpty(env.BASALT_LOG_LEVEL) as LogLevel | undefined) ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new BasaltConfigError(`logLevel must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(logLevel)}`);
  }
  const explicitEndpoint = nonEmpty(t.endpoint) ?? nonEmpty(env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT);
  const exporters = t.exporter === undefined ? [] : Array.isArray(t.exporter) ? t.exporter : [t.exporter];
  const enabled = t.enabled ?? envBool('BASALT_TELEMETRY_ENABLED', env) ?? true;
  const endpoint = explicitEndpoint ?? (apiKey ? DEFAULT_OTLP_ENDPOINT : undefined);
  const mode: ExportMode = !enabled ? 'disabled' : exporters.length > 0 ? 'custom' : endpoint ? 'otlp' : 'local';
  return {
    apiKey,
    apiUrl,
    logLevel,
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs ?? 10_000),
    telemetry: {
      enabled,
      mode,
      endpoint: endpoint === undefined ? undefined : validUrl('telemetry.endpoint', endpoint),
      headers: { ...t.headers },
      serviceName: nonEmpty(t.serviceName) ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'basalt-app',
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
      localTraceFile: nonEmpty(t.localTraceFile) ?? nonEmpty(env.BASALT_LOCAL_TRACE_FILE) ?? DEFAULT_LOCAL_TRACE_FILE,
      printTraces: t.printTraces ?? envBool('BASALT_PRINT_TRACES', env) ?? true,
    },
  };
}

/** Validates a sample rate (config, env or `evaluationConfig`): a finite number in [0, 1]. */
export function sampleRate(value: unknown, name = 'sampleRate'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new BasaltConfigError(`${name} must be a number between 0 and 1; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates a feature slug where the user passes one: a non-empty string, else a clear error naming `who`. */
export function requireFeatureSlug(value: unknown, who: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BasaltConfigError(
      `${who} needs a featureSlug (the product feature of its traces, e.g. "support-ticket"); got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** An absolute http(s) URL without its trailing slashes; the error prints it without credentials. */
function validUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BasaltConfigError(`${name} must be an absolute http(s) URL; got ${JSON.stringify(redactUrl(value))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BasaltConfigError(`${name} must use http or https; got ${JSON.stringify(redactUrl(value))}`);
  }
  return value.replace(/\/+$/, '');
}

function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new BasaltConfigError(`${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`);
  }
  return value;
}

function envBool(name: string, env: Env): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new BasaltConfigError(`${name} must be true or false; got ${JSON.stringify(env[name])}`);
}

function envNumber(name: string, env: Env): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new BasaltConfigError(`${name} must be a number; got ${JSON.stringify(raw)}`);
  }
  return value;
}
