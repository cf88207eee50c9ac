import { Metadata } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { SpanExporter } from './sdk-types.js';

/**
 * The OTLP/gRPC exporter. Its own module, loaded by `createOtlpExporter` on the first export to a
 * gRPC endpoint: importing basalt-observe, local mode and OTLP/HTTP never load `@grpc/grpc-js`.
 */
export function createGrpcExporter(url: string, headers: Record<string, string>, timeoutMillis: number): SpanExporter {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key.toLowerCase(), value);
  return new OTLPTraceExporter({ url, metadata, timeoutMillis });
}
