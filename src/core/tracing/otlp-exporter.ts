import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../constants.js';
import { encodeSpans } from './otlp-encode.js';
import { createStopSignal } from './stop-signal.js';

/** What one attempt to send an OTLP request came to. */
export type SendOutcome =
  | { kind: 'ok' }
  /** Worth another attempt (refused, reset, timed out, 429/502/503/504, gRPC UNAVAILABLE …). */
  | { kind: 'retry'; error: Error; afterMs?: number }
  | { kind: 'fail'; error: Error };

/** The stop switch a send listens to: what transports use of an `AbortSignal`. */
export interface ExportSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** One OTLP protocol on the wire: OTLP/HTTP protobuf or OTLP/gRPC (`otlp-transports.ts`). */
export interface OtlpTransport {
  /**
   * Sends one serialized `ExportTraceServiceRequest`. Resolves, never rejects, within `timeoutMs`,
   * and at once when `signal` aborts. Holds no reference on the event loop where it can avoid it.
   */
  send(body: Uint8Array, timeoutMs: number, signal: ExportSignal): Promise<SendOutcome>;
  /** Closes connections for good; every send has been aborted before. */
  close(): void;
}

/** OpenTelemetry's retry policy for OTLP (`otlp-exporter-base`, 0.2xx): 5 retries, 1 s × 1.5, at most 5 s, ±20 %. */
const MAX_RETRIES = 5;
const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

/**
 * A span exporter over OTLP with a hard deadline and an off switch, which OpenTelemetry's OTLP
 * exporters (2.x) do not have: their retry back-off timers and sockets hold the process until the
 * deadline (and a retry may start a full attempt just before it), and their `shutdown()` waits for
 * exports in flight instead of stopping them. Here every export, retries included, ends by
 * `timeoutMillis` after it starts, nothing it schedules keeps the event loop alive by itself, and
 * `shutdown()` aborts what is in flight at once (§8: nothing of ours keeps a process alive).
 */
export class OtlpExporter implements SpanExporter {
  readonly #transport: OtlpTransport;
  readonly #timeout: number;
  readonly #stop = createStopSignal();
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * One abort signal per export in flight, all aborted by `shutdown()`. Each send and back-off adds
   * a listener to its export's own signal: with one shared signal, a burst of 11 exports in flight
   * made Node print a MaxListenersExceededWarning on the app's console (#14). Made by
   * `createStopSignal`, as the exporter's own switch is, so the edge build keeps its plain switch.
   */
  readonly #exportSignals = new Set<ReturnType<typeof createStopSignal>>();

  constructor(transport: OtlpTransport, timeoutMillis = DEFAULT_EXPORT_TIMEOUT_MS) {
    this.#transport = transport;
    this.#timeout = timeoutMillis;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let body: Uint8Array | undefined;
    try {
      if (this.#stop.signal.aborted) throw new Error('the exporter is shut down');
      body = encodeSpans(spans);
      if (!body) throw new Error('the spans could not be serialized');
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    const own = createStopSignal();
    this.#exportSignals.add(own);
    const work = this.#sendWithRetries(body, own.signal).then((outcome) => {
      this.#exportSignals.delete(own);
      this.#inFlight.delete(work);
      done(
        outcome.kind === 'ok'
          ? { code: ExportResultCode.SUCCESS }
          : { code: ExportResultCode.FAILED, error: outcome.error },
      );
    });
    this.#inFlight.add(work);
  }

  /** Waits for the exports in flight (each ends by its deadline). */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  /** Aborts the exports in flight (they fail at once) and closes the connections. */
  async shutdown(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    for (const own of this.#exportSignals) own.abort();
    this.#transport.close();
  }

  async #sendWithRetries(body: Uint8Array, signal: ExportSignal): Promise<SendOutcome> {
    const deadline = Date.now() + this.#timeout;
    let backoff = INITIAL_BACKOFF_MS;
    for (let retry = 0; ; retry++) {
      const outcome = await this.#transport
        .send(body, deadline - Date.now(), signal)
        .catch((error: unknown): SendOutcome => ({ kind: 'fail', error: error as Error }));
      if (outcome.kind !== 'retry' || retry >= MAX_RETRIES || signal.aborted) return outcome;
      const wait = outcome.afterMs ?? Math.min(backoff * (1 + JITTER * (2 * Math.random() - 1)), MAX_BACKOFF_MS);
      backoff *= BACKOFF_MULTIPLIER;
      // No attempt starts that could not end before the deadline: the deadline holds, retries included.
      if (Date.now() + wait >= deadline) return outcome;
      await sleep(wait, signal);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; the timer does not hold the event loop. */
function sleep(ms: number, signal: ExportSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });
}
