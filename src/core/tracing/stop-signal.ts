import type { ExportSignal } from './otlp-exporter.js';

/**
 * The exporter's stop switch: an `AbortController` on Node, Bun and Deno. The edge build swaps in
 * `stop-signal-edge.ts` (tsup.config.ts): a Worker ties an `AbortSignal` to the request that made it,
 * and the exporter outlives requests. Node keeps the controller: with the plain switch, the
 * process-lifetime test's gRPC exits without shutdown() took about 4 s longer under load, for a
 * reason not found (docs/runtimes.md).
 */
export function createStopSignal(): { signal: ExportSignal; abort(): void } {
  return new AbortController();
}
