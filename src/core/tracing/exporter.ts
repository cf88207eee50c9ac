import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPHttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resolveConfig } from '../config.js';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../constants.js';
import { Logger } from '../logger.js';
import { LocalTraceExporter } from './local-exporter.js';
import type { ExportResult, ReadableSpan, SpanExporter } from './sdk-types.js';

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
  return new LazyExporter(() =>
    import('./grpc-exporter.js').then((grpc) => grpc.createGrpcExporter(endpoint, all, timeoutMillis)),
  );
}

/**
 * An exporter made on its first use: the OTLP/gRPC one and `@grpc/grpc-js` are imported when the
 * first batch is exported, not when basalt-observe is (docs/decisions.md). A failed import fails
 * that export, which the export queue counts and warns about like any other.
 */
class LazyExporter implements SpanExporter {
  readonly #load: () => Promise<SpanExporter>;
  #exporter: Promise<SpanExporter> | undefined;

  constructor(load: () => Promise<SpanExporter>) {
    this.#load = load;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const failed = (error: unknown) =>
      resultCallback({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    this.#exporter ??= this.#load();
    this.#exporter.then((exporter) => {
      // A throw here would be an unhandled rejection, not the caller's exception.
      try {
        exporter.export(spans, resultCallback);
      } catch (error) {
        failed(error);
      }
    }, failed);
  }

  async forceFlush(): Promise<void> {
    const exporter = await this.#exporter?.catch(() => undefined);
    await exporter?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    const exporter = await this.#exporter?.catch(() => undefined);
    await exporter?.shutdown();
  }
}
