import type { ExportSignal } from './otlp-exporter.js';

// The edge build's `stop-signal.ts` (tsup.config.ts swaps it in).

/**
 * A plain stop switch in place of an `AbortController`. Cloudflare Workers tie an `AbortSignal` to
 * the request that made it, and listening to it from a later request throws ("Cannot perform I/O
 * on behalf of a different request"); the exporter outlives requests, so its switch is plain
 * JavaScript. Listeners run once, at the first `abort()`.
 */
export class StopSwitch implements ExportSignal {
  #aborted = false;
  readonly #listeners = new Set<() => void>();

  get aborted(): boolean {
    return this.#aborted;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.#aborted) this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.delete(listener);
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }
}

/** The exporter's stop switch on edge runtimes: plain JavaScript (`StopSwitch`). */
export function createStopSignal(): { signal: ExportSignal; abort(): void } {
  const stop = new StopSwitch();
  return { signal: stop, abort: () => stop.abort() };
}
