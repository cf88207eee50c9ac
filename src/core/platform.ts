import type { ResolvedConfig, TelemetryOptions } from './config.js';
import type { Env } from './config-values.js';

/**
 * What the runtime cannot do with a config, in one sentence each. On Node, nothing: every setting
 * works. The edge build swaps in `platform-edge.ts` (tsup.config.ts), which names the settings an
 * edge runtime cannot honour (a gRPC endpoint, a local trace file) and what it does instead.
 */
export function platformWarnings(_config: ResolvedConfig, _telemetry: TelemetryOptions, _env: Env): string[] {
  return [];
}
