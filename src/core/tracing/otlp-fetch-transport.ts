import { redactUrl } from '../errors.js';
import type { OtlpTransport, SendOutcome } from './otlp-exporter.js';
import { aborted, statusOutcome, USER_AGENT } from './otlp-response.js';

/**
 * OTLP/HTTP protobuf over `fetch`: the transport of the edge build (Cloudflare Workers, Vercel Edge),
 * where `node:http` is absent or partial. One POST per attempt; the attempt is aborted at its
 * deadline or when the exporter shuts down. Same outcomes as the `node:http` transport of the Node
 * build (`statusOutcome`): 2xx ok, 429/502/503/504 and network errors retried, anything else failed.
 *
 * `fetch` is looked up at each export (as `node:http`'s `request` is on Node), so a runtime or an
 * instrumentation that replaces `globalThis.fetch` later is used.
 */
export function fetchTransport(url: string, headers: Record<string, string>): OtlpTransport {
  /** The URL as messages show it: never its credentials (#10.12, #11.3). */
  const printable = redactUrl(url);
  const stopAll = new AbortController();
  return {
    async send(body, timeoutMs, signal) {
      if (timeoutMs <= 0) return { kind: 'retry', error: new Error('export deadline passed') };
      if (signal.aborted || stopAll.signal.aborted) return aborted();
      const attempt = new AbortController();
      let timedOut = false;
      const stop = () => attempt.abort();
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      signal.addEventListener('abort', stop, { once: true });
      stopAll.signal.addEventListener('abort', stop, { once: true });
      try {
        const response = await globalThis.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', 'user-agent': USER_AGENT, ...headers },
          body: body as BodyInit,
          signal: attempt.signal,
        });
        // The body (a partial-success message at most) is not needed, but is read so the
        // connection can be reused (and so Workers do not warn about an unread body).
        await response.arrayBuffer().catch(() => undefined);
        return statusOutcome(response.status, response.statusText, response.headers.get('retry-after'), printable);
      } catch (error) {
        if (timedOut) {
          return { kind: 'retry', error: new Error(`OTLP export to ${printable} timed out after ${timeoutMs} ms`) };
        }
        if (signal.aborted || stopAll.signal.aborted) return aborted();
        return networkOutcome(error, printable);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        stopAll.signal.removeEventListener('abort', stop);
      }
    },
    close() {
      stopAll.abort();
    },
  };
}

/** A `fetch` that rejected: the network (refused, reset, DNS) is worth another attempt. */
function networkOutcome(error: unknown, url: string): SendOutcome {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.message : String(error);
  return { kind: 'retry', error: new Error(`OTLP export to ${url} failed: ${code}`, { cause: error }) };
}
