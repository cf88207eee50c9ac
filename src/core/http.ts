import ky, { HTTPError, type KyInstance, TimeoutError } from 'ky';
import { SDK_TYPE, SDK_VERSION } from './constants.js';
import {
  type BasaltApiError,
  BasaltInvalidResponseError,
  BasaltNetworkError,
  BasaltTimeoutError,
  errorForStatus,
} from './errors.js';

export interface ApiClientOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/** Statuses a POST is retried on, and only when the server says when (`Retry-After`): §4. */
const RETRY_STATUSES = [429, 503];

/**
 * The ky instance of the Basalt API. A POST is retried only where the server did not process it:
 * 429/503 carrying `Retry-After`, or a refused connection. Never after a timeout (ky never retries
 * a `TimeoutError`). ky 1.x has no `shouldRetry`, so `beforeRetry` rethrows what must not be retried.
 */
export function createApiClient({ apiUrl, apiKey, timeoutMs }: ApiClientOptions): KyInstance {
  return ky.create({
    prefixUrl: apiUrl,
    timeout: timeoutMs,
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
  });
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

/** Maps whatever ky threw into the `BasaltApiError` family: the one place errors are mapped. */
export async function toApiError(error: unknown, request: string, apiKey: string): Promise<BasaltApiError> {
  if (error instanceof HTTPError) {
    return errorForStatus(error.response.status, request, await readBody(error.response, apiKey));
  }
  if (error instanceof TimeoutError) {
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
