/**
 * Errors of the Basalt REST API (SPEC §4). Every subclass sets its own `name`, so `isBasaltApiError`
 * still recognises an error thrown by a second copy of the package (ESM and CJS side by side).
 *
 * The message names the status and the request path only: never headers, never the API key, never the
 * response body (the body is kept on `body` for the caller to inspect).
 */
export class BasaltApiError extends Error {
  override name: string = 'BasaltApiError';
  /** HTTP status, or 0 when no response arrived (network, timeout). */
  readonly status: number;
  /** A stable machine-readable code: `bad_request`, `unauthorized`, … `network_error`, `timeout`. */
  readonly code: string;
  /**
   * The response body when there was one: parsed JSON, or text. At most 64 KiB of it is read; a longer
   * body is kept as text cut there, ending with a `…[truncated by basalt-observe]` marker.
   */
  readonly body: unknown;
  /** `METHOD /path` of the failed request. */
  readonly request: string;

  constructor(
    message: string,
    init: { status: number; code: string; body?: unknown; request: string; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.body = init.body;
    this.request = init.request;
  }
}

type ApiErrorInit = ConstructorParameters<typeof BasaltApiError>[1];

export class BasaltBadRequestError extends BasaltApiError {
  override name = 'BasaltBadRequestError' as const;
}
export class BasaltUnauthorizedError extends BasaltApiError {
  override name = 'BasaltUnauthorizedError' as const;
}
export class BasaltForbiddenError extends BasaltApiError {
  override name = 'BasaltForbiddenError' as const;
}
export class BasaltNotFoundError extends BasaltApiError {
  override name = 'BasaltNotFoundError' as const;
}
export class BasaltUnprocessableEntityError extends BasaltApiError {
  override name = 'BasaltUnprocessableEntityError' as const;
}
export class BasaltRateLimitError extends BasaltApiError {
  override name = 'BasaltRateLimitError' as const;
}
export class BasaltServerError extends BasaltApiError {
  override name = 'BasaltServerError' as const;
}
export class BasaltNetworkError extends BasaltApiError {
  override name = 'BasaltNetworkError' as const;
}
export class BasaltTimeoutError extends BasaltApiError {
  override name = 'BasaltTimeoutError' as const;
}
export class BasaltInvalidResponseError extends BasaltApiError {
  override name = 'BasaltInvalidResponseError' as const;
}

/**
 * A mistake in how the package is called or configured (missing feature slug, sample rate out of
 * range, invalid URL). Outside the `BasaltApiError` family on purpose: nothing went over the wire.
 */
export class BasaltConfigError extends Error {
  override name = 'BasaltConfigError' as const;
}

const API_ERROR_NAMES = new Set([
  'BasaltApiError',
  'BasaltBadRequestError',
  'BasaltUnauthorizedError',
  'BasaltForbiddenError',
  'BasaltNotFoundError',
  'BasaltUnprocessableEntityError',
  'BasaltRateLimitError',
  'BasaltServerError',
  'BasaltNetworkError',
  'BasaltTimeoutError',
  'BasaltInvalidResponseError',
]);

/** True for any error of the `BasaltApiError` family, by class or by name (two package copies agree). */
export function isBasaltApiError(error: unknown): error is BasaltApiError {
  return (
    error instanceof BasaltApiError || (error instanceof Error && API_ERROR_NAMES.has(error.name) && 'status' in error)
  );
}

const STATUS_CLASSES: Record<number, [new (m: string, i: ApiErrorInit) => BasaltApiError, string, string]> = {
  400: [BasaltBadRequestError, 'bad_request', 'Bad Request'],
  401: [BasaltUnauthorizedError, 'unauthorized', 'Unauthorized'],
  403: [BasaltForbiddenError, 'forbidden', 'Forbidden'],
  404: [BasaltNotFoundError, 'not_found', 'Not Found'],
  422: [BasaltUnprocessableEntityError, 'unprocessable_entity', 'Unprocessable Entity'],
  429: [BasaltRateLimitError, 'rate_limited', 'Too Many Requests'],
};

/**
 * The error for an HTTP status: one subclass per documented case, `BasaltServerError` for 5xx, and
 * `BasaltInvalidResponseError` for a 3xx, since the package never follows a redirect of its POST.
 */
export function errorForStatus(status: number, request: string, body: unknown): BasaltApiError {
  if (status >= 300 && status < 400) {
    return new BasaltInvalidResponseError(
      `Basalt API returned an invalid response (${status} redirect, not followed for a POST; check apiUrl): ${request}`,
      { status, code: 'invalid_response', body, request },
    );
  }
  const known = STATUS_CLASSES[status];
  if (known) {
    const [ErrorClass, code, text] = known;
    const hint = status === 401 ? ' (check BASALT_API_KEY or the apiKey option)' : '';
    return new ErrorClass(`Basalt API request failed with ${status} ${text}${hint}: ${request}`, {
      status,
      code,
      body,
      request,
    });
  }
  const ErrorClass = status >= 500 ? BasaltServerError : BasaltApiError;
  return new ErrorClass(`Basalt API request failed with ${status}: ${request}`, {
    status,
    code: status >= 500 ? 'server_error' : 'http_error',
    body,
    request,
  });
}

/** `scheme://user:password@` inside a longer text; the credentials run to the last `@` of the authority. */
const URL_CREDENTIALS = /\b([a-z][a-z\d+.-]*:\/\/)[^\s/?#]*@/gi;

/**
 * A URL (or a text holding URLs) with its credentials replaced by `***`, for anything the package
 * prints: error messages, config errors, log lines. `http://user:pw@host/x` reads `http://***@host/x`.
 * A lone value is parsed as `fetch` would parse it, so `http:user:pw@host` is caught too; a value that
 * is not a URL with a host loses everything before its last `@`, since that may be a credential.
 *
 * @example
 * throw new BasaltConfigError(`apiUrl must use http or https; got ${JSON.stringify(redactUrl(value))}`);
 */
export function redactUrl(text: string): string {
  if (!text.includes('@')) return text;
  if (/\s/.test(text)) return text.replace(URL_CREDENTIALS, '$1***@');
  try {
    const url = new URL(text);
    if (url.username !== '' || url.password !== '') {
      url.username = '***';
      url.password = '';
      return url.href;
    }
    // The `@` is in the path, query or fragment of a URL with a host: nothing to hide.
    if (url.host !== '') return text;
  } catch {
    // Not a URL: fall through to the conservative cut.
  }
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(text)?.[0] ?? '';
  return `${scheme}***@${text.slice(text.lastIndexOf('@') + 1)}`;
}
