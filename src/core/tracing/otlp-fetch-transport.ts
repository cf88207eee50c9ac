import { redactUrl } from '../errors.js';
import type { OtlpTransport, SendOutcome } from './otlp-exporter.js';
import { aborted, statusOutcome, USER_AGENT } from './otlp-response.js';
import { StopSwitch } from './stop-signal-edge.js';

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
  const target = withoutCredentials(url, headers);
  // Not an AbortController: on Workers it would belong to the request that made it (`StopSwitch`).
  const stopAll = new StopSwitch();
  return {
    async send(body, timeoutMs, signal) {
      if (timeoutMs <= 0) return { kind: 'retry', error: new Error('export deadline passed') };
      if (signal.aborted || stopAll.aborted) return aborted();
      const attempt = new AbortController();
      let timedOut = false;
      const stop = () => attempt.abort();
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      (timer as { unref?: () => void }).unref?.();
      signal.addEventListener('abort', stop, { once: true });
      stopAll.addEventListener('abort', stop);
      try {
        const response = await globalThis.fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf', 'user-agent': USER_AGENT, ...target.headers },
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
        if (signal.aborted || stopAll.aborted) return aborted();
        return networkOutcome(error, printable);
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        stopAll.removeEventListener('abort', stop);
      }
    },
    close() {
      stopAll.abort();
    },
  };
}

/**
 * `fetch` refuses a URL with credentials (and its error repeats them): they go as Basic
 * authorization instead, as `node:http` sends them on Node, unless a header sets authorization.
 */
function withoutCredentials(url: string, headers: Record<string, string>) {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return { url, headers };
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    parsed.username = '';
    parsed.password = '';
    if (Object.keys(headers).some((key) => key.toLowerCase() === 'authorization')) return { url: parsed.href, headers };
    // btoa takes Latin-1 only: the UTF-8 bytes, one character each.
    const basic = btoa(String.fromCharCode(...new TextEncoder().encode(credentials)));
    return { url: parsed.href, headers: { authorization: `Basic ${basic}`, ...headers } };
  } catch {
    return { url, headers };
  }
}

/** A `fetch` that rejected: the network (refused, reset, DNS) is worth another attempt. */
function networkOutcome(error: unknown, url: string): SendOutcome {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : error instanceof Error ? error.message : String(error);
  return { kind: 'retry', error: new Error(`OTLP export to ${url} failed: ${redactUrl(code)}`, { cause: error }) };
}
