import ky, { HTTPError, type Options } from 'ky';
import { SDK_TYPE, SDK_VERSION } from './constants.js';
import {
  type BasaltApiError,
  BasaltConfigError,
  BasaltInvalidResponseError,
  BasaltNetworkError,
  BasaltTimeoutError,
  errorForStatus,
  isBasaltApiError,
  redactUrl,
} from './errors.js';
import { MAX_BODY_BYTES, readBody } from './http-body.js';
import { retryAfterMs } from './tracing/otlp-response.js';

export interface ApiClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Bound of one whole call: every attempt, the waits between them and reading the body. */
  timeoutMs: number;
}

/** The Basalt REST API as the package uses it: a POST and a GET, their errors already mapped. */
export interface ApiClient {
  /**
   * POSTs `json` to `path` (no leading slash) and resolves to the parsed JSON body of the 2xx answer.
   * Rejects with a `BasaltApiError`, a `BasaltTimeoutError` once `timeoutMs` has passed.
   */
  post(path: string, json: unknown): Promise<unknown>;
  /**
   * GETs `path` (no leading slash, already URL-encoded); resolves and rejects as `post` does. A 2xx
   * body may be up to `maxBodyBytes` long (default 64 KiB; a dataset is larger than an experiment).
   */
  get(path: string, maxBodyBytes?: number): Promise<unknown>;
}

/** Statuses a POST is retried on, and only when the server says when (`Retry-After`): §4. */
const RETRY_STATUSES = [429, 503];
/** Retries of one call at most; each must also fit in what is left of `timeoutMs`. */
const MAX_RETRIES = 2;

/**
 * The API client of `basalt.experiments` and `basalt.datasets`: `undefined` without an API key (local
 * mode). An `apiUrl` that carries credentials (`user:password@`) gets a client whose every call
 * rejects with a `BasaltConfigError`: `fetch` refuses such a URL, and the API authenticates with the key.
 */
export function basaltApi(options: {
  apiUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
}): ApiClient | undefined {
  const { apiUrl, apiKey, timeoutMs } = options;
  if (!apiKey) return undefined;
  const url = new URL(apiUrl);
  if (!url.username && !url.password) return createApiClient({ apiUrl, apiKey, timeoutMs });
  const refuse = async (): Promise<never> => {
    throw new BasaltConfigError(
      `apiUrl must not carry credentials (user:password@): the Basalt API authenticates with the API key; got ${JSON.stringify(redactUrl(apiUrl))}`,
    );
  };
  return { post: refuse, get: refuse };
}

/**
 * The client of the Basalt API. A POST is retried only where the server did not process it (§4):
 * a 429/503 carrying `Retry-After`, after the wait it asks for, or a refused connection, after a
 * back-off of 300 then 600 ms. Never after a timeout, and never when the wait would not end before
 * the deadline: ky's `shouldRetry` says no at once, so a refused retry costs no sleep.
 *
 * ky's own `timeout` covers one attempt up to the response headers only, so it is off: one deadline
 * per call aborts whatever is in flight (an attempt, the wait before a retry, reading the body), and
 * what it aborts is a timeout, never retried.
 */
export function createApiClient({ apiUrl, apiKey, timeoutMs }: ApiClientOptions): ApiClient {
  const options: Options = {
    prefixUrl: apiUrl,
    timeout: false,
    // A redirected POST would reach another URL (as a GET after 301/302/303): not a created experiment.
    redirect: 'manual',
    throwHttpErrors: true,
    headers: {
      authorization: `Bearer ${apiKey}`,
      // As the official SDKs send it (#16.3); without it fetch sends `*/*` (the body is read as a stream, not `.json()`).
      accept: 'application/json',
      'content-type': 'application/json',
      'x-basalt-sdk-version': SDK_VERSION,
      'x-basalt-sdk-type': SDK_TYPE,
    },
  };
  const call = async (method: 'get' | 'post', path: string, json: unknown, limit: number): Promise<unknown> => {
    const request = `${method.toUpperCase()} /${path}`;
    const deadlineAt = Date.now() + timeoutMs;
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort(new DOMException(`Basalt API call exceeded timeoutMs (${timeoutMs} ms)`, 'TimeoutError'));
    }, timeoutMs);
    // `shouldRetry` decides the wait as well; ky's `delay` then waits exactly that (no jitter, no cap).
    let wait = 0;
    const retry: Options['retry'] = {
      limit: MAX_RETRIES,
      methods: ['post', 'get'],
      retryOnTimeout: false,
      shouldRetry: ({ error, retryCount }) => {
        const next = retryWait(error, retryCount);
        if (next === undefined || next >= deadlineAt - Date.now()) return false;
        wait = next;
        return true;
      },
      delay: () => wait,
    };
    try {
      const response = await ky(path, { ...options, method, retry, json, signal: deadline.signal });
      const body = await readBody(response, apiKey, limit);
      if (body.truncated) throw invalidResponse(request, `body over ${limit / 1024} KiB`, body.value);
      if (!body.json) throw invalidResponse(request, 'not JSON', body.value);
      return body.value;
    } catch (error) {
      throw isBasaltApiError(error) ? error : await toApiError(error, request, apiKey, timedOut);
    } finally {
      clearTimeout(timer);
      // Releases whatever is left unread (a body past its cap, an error body) with the connection.
      deadline.abort();
    }
  };
  return {
    post: (path, json) => call('post', path, json, MAX_BODY_BYTES),
    get: (path, maxBodyBytes = MAX_BODY_BYTES) => call('get', path, undefined, maxBodyBytes),
  };
}

/**
 * Milliseconds to wait before retrying after `error`, or `undefined` for no retry. Other
 * rate-limit headers (`RateLimit-Reset`, `X-RateLimit-Reset`) do not make a 429 retryable.
 */
function retryWait(error: Error, retryCount: number): number | undefined {
  if (error instanceof HTTPError) {
    if (!RETRY_STATUSES.includes(error.response.status)) return undefined;
    return retryAfterMs(error.response.headers.get('retry-after'));
  }
  if (causeCodes(error).includes('ECONNREFUSED')) return 300 * 2 ** (retryCount - 1);
  return undefined;
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    // Node reports a refused dual-stack connect as an AggregateError of one error per address.
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...causeCodes(inner));
    current = cause;
  }
  return codes;
}

/**
 * The message of the deepest cause (fetch's `TypeError: fetch failed` hides why: `bad port`), without
 * URL credentials and bounded in length.
 */
function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message ? redactUrl(message).slice(0, 200) : undefined;
}

/**
 * Maps whatever ky or fetch threw into the `BasaltApiError` family: the one place errors are mapped.
 * An HTTP status wins over the deadline (the server did answer); else a passed deadline is a timeout.
 */
async function toApiError(error: unknown, request: string, apiKey: string, timedOut: boolean): Promise<BasaltApiError> {
  if (error instanceof HTTPError) {
    const body = await readBody(error.response, apiKey).catch(() => undefined);
    return errorForStatus(error.response.status, request, body?.value);
  }
  if (timedOut) {
    return new BasaltTimeoutError(`Basalt API request timed out: ${request}`, {
      status: 0,
      code: 'timeout',
      request,
    });
  }
  const detail = causeCodes(error)[0] ?? innermostMessage(error);
  return new BasaltNetworkError(`Basalt API request failed${detail ? ` (${detail})` : ''}: ${request}`, {
    status: 0,
    code: 'network_error',
    request,
    cause: error,
  });
}

export function invalidResponse(request: string, problem: string, body: unknown): BasaltInvalidResponseError {
  return new BasaltInvalidResponseError(`Basalt API returned an invalid response (${problem}): ${request}`, {
    status: 200,
    code: 'invalid_response',
    body,
    request,
  });
}
