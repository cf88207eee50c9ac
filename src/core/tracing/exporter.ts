import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resolveConfig } from '../config.js';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../constants.js';
import { Logger } from '../logger.js';
import { LocalTraceExporter } from './local-exporter.js';
import { OtlpExporter } from './otlp-exporter.js';
import { grpcTransport, httpTransport } from './otlp-transports.js';

export interface BasaltExporterOptions {
  /** Default env `BASALT_API_KEY`. Sent as `authorization: Bearer <key>`. */
  apiKey?: string;
  /** Default env `BASALT_OTEL_EXPORTER_OTLP_ENDPOINT`, else Basalt's endpoint when a key is set. */
  endpoint?: string;
  /** Extra headers (OTLP/HTTP) or metadata (OTLP/gRPC). */
  headers?: Record<string, string>;
  timeoutMillis?: number;
}

export type OtlpProtocol = 'http/protobuf' | 'grpc';

/**
 * The endpoint rule of Basalt's Python SDK (§8): an http(s) URL whose host does not contain `grpc`
 * and whose port is not 4317 speaks OTLP/HTTP protobuf; anything else speaks OTLP/gRPC.
 */
export function otlpProtocolFor(endpoint: string): OtlpProtocol {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'grpc';
  }
  const http = url.protocol === 'http:' || url.protocol === 'https:';
  return http && !url.hostname.includes('grpc') && url.port !== '4317' ? 'http/protobuf' : 'grpc';
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
      print: config.telemetry.printTraces,
      logger: new Logger(config.logLevel),
    });
  }
  return createOtlpExporter(endpoint, config.apiKey, headers, options.timeoutMillis);
}

/**
 * OTLP/HTTP protobuf or OTLP/gRPC by the endpoint rule, authenticated with the API key when there is
 * one; the user's own `authorization` header wins over the key (§8). Every export ends by
 * `timeoutMillis`, retries included, and `shutdown()` aborts the exports in flight (`OtlpExporter`).
 */
export function createOtlpExporter(
  endpoint: string,
  apiKey: string | undefined,
  headers: Record<string, string>,
  timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS,
): SpanExporter {
  const userAuthorization = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization');
  const all: Record<string, string> = apiKey && !userAuthorization ? { authorization: `Bearer ${apiKey}` } : {};
  Object.assign(all, headers);
  const transport =
    otlpProtocolFor(endpoint) === 'http/protobuf' ? httpTransport(endpoint, all) : grpcTransport(endpoint, all);
  return new OtlpExporter(transport, timeoutMillis);
}
