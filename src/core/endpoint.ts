/**
 * Where spans go: Basalt's endpoint rule (§8) and OpenTelemetry's standard `OTEL_*` variables, as
 * pure functions of strings, so config resolution needs no exporter code.
 */

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
 * The URL an OTLP/HTTP export posts to, as OpenTelemetry's `OTEL_EXPORTER_OTLP_ENDPOINT` reads a
 * base: a URL without a path gets `/v1/traces`; a URL with a path is used as given. gRPC endpoints
 * have no path and pass unchanged.
 */
export function tracesUrl(endpoint: string): string {
  if (otlpProtocolFor(endpoint) !== 'http/protobuf') return endpoint;
  const url = new URL(endpoint);
  if (url.pathname !== '/' && url.pathname !== '') return endpoint;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

type Env = Record<string, string | undefined>;

/** An endpoint taken from the standard variables, with the headers that go with it. */
export interface OtelEnvEndpoint {
  /** The variable it came from, for messages. */
  variable: string;
  /** A full traces URL (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or a base (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  endpoint: string;
  headers: Record<string, string>;
}

/**
 * The OTLP endpoint of OpenTelemetry's standard variables: the traces one used as given, else the
 * base one with `/v1/traces` for HTTP (`tracesUrl` does that), with `OTEL_EXPORTER_OTLP_HEADERS`
 * and `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (the latter wins per key).
 */
export function otelEnvEndpoint(env: Env): OtelEnvEndpoint | undefined {
  const traces = nonBlank(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = nonBlank(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const endpoint = traces ?? base;
  if (!endpoint) return undefined;
  const headers = {
    ...keyValueList(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...keyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  return {
    variable: traces ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
    endpoint,
    headers,
  };
}

/** `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key2=value2`, percent-encoded values). */
export function otelResourceAttributes(env: Env): Record<string, string> {
  return keyValueList(env.OTEL_RESOURCE_ATTRIBUTES);
}

/**
 * OpenTelemetry's `key=value,key2=value2` lists (headers, resource attributes): keys and values
 * trimmed and percent-decoded; a malformed pair is skipped, as the OpenTelemetry SDKs do.
 */
export function keyValueList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = decode(pair.slice(0, at).trim());
    const value = decode(pair.slice(at + 1).trim());
    if (key && value !== undefined) out[key] = value;
  }
  return out;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function nonBlank(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The OTLP/HTTP URL used in place of an OTLP/gRPC endpoint where gRPC cannot run (the edge build:
 * Cloudflare Workers, Vercel Edge): the same scheme (https unless `http:`) and host, the collector's
 * OTLP/HTTP port 4318 in place of gRPC's 4317, and `/v1/traces` (docs/runtimes.md).
 *
 * @example grpcFallbackUrl('http://collector:4317') // 'http://collector:4318/v1/traces'
 */
export function grpcFallbackUrl(endpoint: string): string {
  const url = grpcEndpointUrl(endpoint);
  const scheme = url.protocol === 'http:' ? 'http:' : 'https:';
  const port = url.port === '4317' ? ':4318' : url.port ? `:${url.port}` : '';
  return `${scheme}//${url.hostname}${port}/v1/traces`;
}

/**
 * An OTLP/gRPC endpoint as a URL, read as OpenTelemetry's gRPC exporter reads it: a value without a
 * scheme is `https://`. Serves the gRPC channel target (`grpcTarget`) and the edge build's fallback.
 */
export function grpcEndpointUrl(endpoint: string): URL {
  const trimmed = endpoint.trim();
  return new URL(/^\w{1,8}:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`);
}
