import { resolveConfig } from '../config.js';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../constants.js';
import { otlpProtocolFor } from '../endpoint.js';
import { Logger } from '../logger.js';
import { LocalTraceExporter } from './local-exporter.js';
import { OtlpExporter } from './otlp-exporter.js';
import { grpcTransport, httpTransport } from './otlp-transports.js';
import type { SpanExporter } from './sdk-types.js';

export interface BasaltExporterOptions {
  /** Default env `BASALT_API_KEY`. Sent as `authorization: Bearer <key>`. */
  apiKey?: string;
  /** Default env `BASALT_OTEL_EXPORTER_OTLP_ENDPOINT`, else Basalt's endpoint when a key is set. */
  endpoint?: string;
  /** Extra headers (OTLP/HTTP) or metadata (OTLP/gRPC). */
  headers?: Record<string, string>;
  timeoutMillis?: number;
}

/**
 * The exporter Basalt uses, for apps that own their TracerProvider (`NodeSDK`, `@vercel/otel`): OTLP
 * to Basalt (or `endpoint`) with the API key, or the local trace file when there is neither.
 *
 * @example
 * new NodeSDK({ spanProcessors: [new BasaltSpanProcessor({ exporter: createBasaltExporter() })] });
 */
export function createBasaltExporter(options: BasaltExporterOptions = {}): SpanExporter {
  const config = resolveConfig({
    apiKey: options.apiKey,
    telemetry: { endpoint: options.endpoint, headers: options.headers },
  });
  const { endpoint, headers } = config.telemetry;
  if (!endpoint) {
    return new LocalTraceExporter({
      file: config.telemetry.localTraceFile,
      maxBytes: config.telemetry.localTraceMaxBytes,
      print: config.telemetry.printTraces,
      logger: new Logger(config.logLevel),
    });
  }
  return createOtlpExporter(endpoint, config.apiKey, headers, options.timeoutMillis);
}

/**
 * OTLP/HTTP protobuf or OTLP/gRPC by the endpoint rule, with the headers `exportHeaders` gives.
 * Every export ends by `timeoutMillis`, retries included, and `shutdown()` aborts the exports in
 * flight (`OtlpExporter`).
 */
export function createOtlpExporter(
  endpoint: string,
  apiKey: string | undefined,
  headers: Record<string, string>,
  timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS,
): SpanExporter {
  const all = exportHeaders(endpoint, apiKey, headers);
  const transport =
    otlpProtocolFor(endpoint) === 'http/protobuf' ? httpTransport(endpoint, all) : grpcTransport(endpoint, all);
  return new OtlpExporter(transport, timeoutMillis);
}

/**
 * The headers of an export (#10.11, docs/decisions.md). The user's own headers are always sent and
 * always win: the Basalt key never replaces a user's `authorization` (§8). The key itself is added
 * only for Basalt's hosts (`*.getbasalt.ai`) and loopback collectors (nothing leaves the machine):
 * a third-party collector never receives the Basalt key unless the user puts it in `headers`.
 */
export function exportHeaders(
  endpoint: string,
  apiKey: string | undefined,
  headers: Record<string, string>,
): Record<string, string> {
  const userAuthorization = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization');
  const sendKey = apiKey !== undefined && !userAuthorization && keyMayGoTo(endpoint);
  return { ...(sendKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers };
}

function keyMayGoTo(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === 'getbasalt.ai' || host.endsWith('.getbasalt.ai')) return true;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
