import ky, { HTTPError, type Options } from 'ky';
import { SDK_TYPE, SDK_VERSION } from './constants.js';
import {
  type BasaltApiError,
  BasaltInvalidResponseError,
  BasaltNetworkError,
  BasaltTimeoutError,
  errorForStatus,
  isBasaltApiError,
} from './errors.js';

export interface ApiClientOptions {
  apiUrl: string;
  apiKey: string;
  /** Bound of one whole call: every attempt, the waits between them and reading the body. */
  timeoutMs: number;
}

/** The Basalt REST API as the package uses it: one POST, its errors already mapped. */
export interface ApiClient {
  /**
   * POSTs `json` to `path` (no leading slash) and resolves to the parsed JSON body of the 2xx answer.
   * Rejects with a `BasaltApiError`, a `BasaltTimeoutError` once `timeoutMs` has passed.
   */
  post(path: string, json: unknown): Promise<unknown>;
}

/** Statuses a POST is retried on, and only when the server says when (`Retry-After`): §4. */
const RETRY_STATUSES = [429, 503];

/**
 * The client of the Basalt API. A POST is retried only where the server did not process it:
 * 429/503 carrying `Retry-After`, or a refused connection; `beforeRetry` rethrows anything else.
 *
 * ky's own `timeout` covers one attempt up to the response headers only, so it is off: one deadline
 * per call aborts whatever is in flight (an attempt, the wait before a retry, reading the body), and
 * what it aborts is a timeout, never retried.
 */
export function createApiClient({ apiUrl, apiKey, timeoutMs }: ApiClientOptions): ApiClient {
  const options: Options = {
    prefixUrl: apiUrl,
    timeout: false,
    throwHttpErrors: true,
    headers: {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      'x-basalt-sdk-version': SDK_VERSION,
      'x-basalt-sdk-type': SDK_TYPE,
    },
    retry: {
      limit: 2,
      methods: ['post'],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: RETRY_STATUSES,
      maxRetryAfter: 10_000,
      backoffLimit: 2_000,
    },
    hooks: {
      beforeRetry: [
        ({ error }) => {
          if (!isRetryable(error)) throw error;
        },
      ],
    },
  };
  return {
    async post(path, json) {
      const request = `POST /${path}`;
      const deadline = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        deadline.abort(new DOMException(`Basalt API call exceeded timeoutMs (${timeoutMs} ms)`, 'TimeoutError'));
      }, timeoutMs);
      try {
        const text = await ky.post(path, { ...options, json, signal: deadline.signal }).text();
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw invalidResponse(request, 'not JSON', text.slice(0, 1000));
        }
      } catch (error) {
        throw isBasaltApiError(error) ? error : await toApiError(error, request, apiKey, timedOut);
      } finally {
        clearTimeout(timer);
        // Releases whatever is left unread (a body past its cap, an error body) with the connection.
        deadline.abort();
      }
    },
  };
}

function isRetryable(error: Error): boolean {
  if (error instanceof HTTPError) {
    return RETRY_STATUSES.includes(error.response.status) && error.response.headers.has('retry-after');
  }
  return causeCodes(error).includes('ECONNREFUSED');
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
 * Maps whatever ky or fetch threw into the `BasaltApiError` family: the one place errors are mapped.
 * An HTTP status wins over the deadline (the server did answer); else a passed deadline is a timeout.
 */
async function toApiError(error: unknown, request: string, apiKey: string, timedOut: boolean): Promise<BasaltApiError> {
  if (error instanceof HTTPError) {
    return errorForStatus(error.response.status, request, await readBody(error.response, apiKey));
  }
  if (timedOut) {
    return new BasaltTimeoutError(`Basalt API request timed out: ${request}`, {
      status: 0,
      code: 'timeout',
      request,
    });
  }
  const detail = causeCodes(error)[0];
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

/** The response body, JSON-parsed when it is JSON, with the API key scrubbed should the server echo it. */
async function readBody(response: Response, apiKey: string): Promise<unknown> {
  try {
    const text = (await response.text()).split(apiKey).join('[redacted]');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  } catch {
    return undefined;
  }
}
