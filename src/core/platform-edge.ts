import type { ResolvedConfig, TelemetryOptions } from './config.js';
import type { Env } from './config-values.js';
import { grpcFallbackUrl, otlpProtocolFor } from './endpoint.js';
import { redactUrl } from './errors.js';

// The edge build's `platform.ts` (tsup.config.ts swaps it in): Cloudflare Workers, Vercel Edge and
// other runtimes without `node:http2` or a file system (docs/runtimes.md).

/**
 * One sentence per setting the runtime cannot honour, naming it and what is used instead; the
 * runtime logs each once (`warnConfig`). Never a throw: the fallback always works.
 */
export function platformWarnings(config: ResolvedConfig, telemetry: TelemetryOptions, env: Env): string[] {
  const warnings: string[] = [];
  const { mode, endpoint } = config.telemetry;
  if (mode === 'otlp' && endpoint !== undefined && otlpProtocolFor(endpoint) === 'grpc') {
    warnings.push(
      `${config.endpointSetting ?? 'telemetry.endpoint'} is an OTLP/gRPC endpoint (${redactUrl(endpoint)}), and gRPC cannot run on this runtime: spans are sent over OTLP/HTTP with fetch to ${redactUrl(grpcFallbackUrl(endpoint))} instead. Set an OTLP/HTTP endpoint (http(s)://host:4318) to choose where.`,
    );
  }
  const fileSetting = traceFileSetting(telemetry, env);
  if (mode === 'local' && fileSetting) {
    warnings.push(
      `${fileSetting} is set, but this runtime has no file system: local mode prints each trace tree to the console and writes no file.`,
    );
  }
  return warnings;
}

function traceFileSetting(telemetry: TelemetryOptions, env: Env): string | undefined {
  if (typeof telemetry.localTraceFile === 'string' && telemetry.localTraceFile.trim())
    return 'telemetry.localTraceFile';
  if (env.BASALT_LOCAL_TRACE_FILE?.trim()) return 'BASALT_LOCAL_TRACE_FILE';
  return undefined;
}
