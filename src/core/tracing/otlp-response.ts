import { SDK_VERSION } from '../constants.js';
import type { SendOutcome } from './otlp-exporter.js';

/** What every OTLP request of ours says it is. */
export const USER_AGENT = `basalt-observe/${SDK_VERSION}`;

/** HTTP statuses OTLP says to retry (as OpenTelemetry's exporters do). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** What to check for an HTTP status that no retry fixes (#11.3). */
const STATUS_HINTS: Record<number, string> = {
  401: 'check the authorization header: BASALT_API_KEY, or telemetry.headers',
  403: 'check the authorization header: BASALT_API_KEY, or telemetry.headers',
  404: 'check the endpoint path: a base URL such as http://host:4318 gets /v1/traces, a URL with a path is used as given',
  405: 'check the endpoint path: a base URL such as http://host:4318 gets /v1/traces, a URL with a path is used as given',
};

/**
 * The outcome of an OTLP/HTTP response, whichever client received it (`node:http` on Node, `fetch`
 * on edge runtimes): 2xx is ok, 429/502/503/504 are retried (after `Retry-After` when given), any
 * other status fails with a message that names the URL (never its credentials) and what to check.
 */
export function statusOutcome(
  status: number,
  statusText: string | undefined,
  retryAfter: string | null | undefined,
  url: string,
): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const hint = STATUS_HINTS[status] ? ` (${STATUS_HINTS[status]})` : '';
  const error = new Error(
    `OTLP export to ${url} failed with HTTP ${status}${statusText ? ` ${statusText}` : ''}${hint}`,
  );
  if (!RETRYABLE_STATUSES.has(status)) return { kind: 'fail', error };
  return { kind: 'retry', error, afterMs: retryAfterMs(retryAfter) };
}

/**
 * `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; `undefined` when
 * absent, blank or unreadable. Read by the OTLP exporters and by the Basalt API client (`http.ts`).
 */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (header == null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

export const aborted = (): SendOutcome => ({
  kind: 'fail',
  error: new Error('export aborted: the exporter is shut down'),
});
