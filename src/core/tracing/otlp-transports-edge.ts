import { grpcFallbackUrl } from '../endpoint.js';
import type { OtlpTransport } from './otlp-exporter.js';
import { fetchTransport } from './otlp-fetch-transport.js';

// The edge build's `otlp-transports.ts` (tsup.config.ts swaps it in): no `node:http`, no gRPC.

/** OTLP/HTTP protobuf through `fetch`. */
export function httpTransport(url: string, headers: Record<string, string>): OtlpTransport {
  return fetchTransport(url, headers);
}

/**
 * OTLP/gRPC needs `node:http2` and `@grpc/grpc-js`, which edge runtimes do not have: spans go over
 * OTLP/HTTP through `fetch` to `grpcFallbackUrl(endpoint)` instead. The runtime says so once
 * (`platform-edge.ts`), naming the setting.
 */
export function grpcTransport(endpoint: string, headers: Record<string, string>): OtlpTransport {
  return fetchTransport(grpcFallbackUrl(endpoint), headers);
}
