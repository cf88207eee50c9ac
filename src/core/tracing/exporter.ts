import { Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resolveConfig } from '../config.js';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../constants.js';
import { Logger } from '../logger.js';
import { LocalTraceExporter } from './local-exporter.js';
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

/** OTLP/HTTP protobuf or OTLP/gRPC by the endpoint rule, authenticated with the API key when there is one. */
export function createOtlpExporter(
  endpoint: string,
  apiKey: string | undefined,
  headers: Record<string, string>,
  timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS,
): SpanExporter {
  const all: Record<string, string> = { ...headers };
  if (apiKey) all.authorization = `Bearer ${apiKey}`;
  if (otlpProtocolFor(endpoint) === 'http/protobuf') {
    return new OTLPHttpTraceExporter({ url: endpoint, headers: all, timeoutMillis });
  }
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(all)) metadata.set(key.toLowerCase(), value);
  return new OTLPGrpcTraceExporter({ url: endpoint, metadata, timeoutMillis });
}
