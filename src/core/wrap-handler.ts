import { BasaltConfigError } from './errors.js';
import { describeType, describeValue, isRecord, isThenable } from './values.js';

/** Options of `basalt.wrapHandler()`. */
export interface WrapHandlerOptions {
  /**
   * Longest wait for the export after the handler settles, in milliseconds. Default 2000; never
   * more than the invocation has left (the Lambda context's `getRemainingTimeInMillis()`, less 100 ms).
   */
  flushTimeoutMs?: number;
}

/** Default bound of a wrapped handler's flush. */
export const DEFAULT_HANDLER_FLUSH_MS = 2_000;
/** Kept for the platform's own work after the flush, when the invocation's remaining time is known. */
const REMAINING_TIME_MARGIN_MS = 100;

type Flush = (timeoutMs: number) => Promise<void>;
type Callback = (error?: unknown, result?: unknown) => void;

/**
 * Wraps a serverless handler (AWS Lambda's `(event, context)` or `(event, context, callback)`) so
 * that what its Basalt roots recorded is exported before the invocation ends: the platform freezes
 * the function once it answers, with whatever is still queued (#12.1). The wrapper resolves with the
 * handler's value and rejects with its error, the same objects, after a flush bounded by
 * `flushTimeoutMs`; a callback handler's callback is called, with the same arguments, after it.
 * `flush` never rejects, so nothing of ours reaches the caller (§10).
 *
 * @throws {BasaltConfigError} when `handler` is not a function or `flushTimeoutMs` is invalid.
 */
export function withFlush<H extends (...args: never[]) => unknown>(
  handler: H,
  flush: Flush,
  options: WrapHandlerOptions = {},
): H {
  if (typeof handler !== 'function') {
    throw new BasaltConfigError(`wrapHandler(handler) needs the handler function; got ${describeType(handler)}`);
  }
  if (!isRecord(options)) {
    throw new BasaltConfigError(
      `wrapHandler options must be an object such as { flushTimeoutMs }; got ${describeType(options)}`,
    );
  }
  const timeoutMs = flushTimeout(options.flushTimeoutMs ?? DEFAULT_HANDLER_FLUSH_MS);
  const call = handler as unknown as (this: unknown, ...args: unknown[]) => unknown;
  function basaltFlushingHandler(this: unknown, ...args: unknown[]): unknown {
    const flushNow = () => flushWithin(flush, timeoutMs, args[1]);
    const callback = args[2];
    if (typeof callback === 'function') {
      args[2] = function basaltFlushingCallback(this: unknown, ...results: unknown[]) {
        void flushNow().then(() => (callback as Callback).apply(this, results as Parameters<Callback>));
      };
    }
    let result: unknown;
    try {
      result = call.apply(this, args);
    } catch (error) {
      void flushNow();
      throw error;
    }
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(
      async (value) => {
        await flushNow();
        return value;
      },
      async (error: unknown) => {
        await flushNow();
        throw error;
      },
    );
  }
  return basaltFlushingHandler as unknown as H;
}

function flushTimeout(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new BasaltConfigError(
      `wrapHandler flushTimeoutMs must be a number of milliseconds >= 0; got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Flushes within `timeoutMs`, or within what the invocation has left if its context says. Never rejects. */
async function flushWithin(flush: Flush, timeoutMs: number, lambdaContext: unknown): Promise<void> {
  try {
    await flush(Math.min(timeoutMs, remainingMs(lambdaContext)));
  } catch {
    // `flush` does not reject; should it ever, the handler's outcome still goes through (§10).
  }
}

function remainingMs(lambdaContext: unknown): number {
  try {
    const remaining = (
      lambdaContext as { getRemainingTimeInMillis?: () => unknown } | undefined
    )?.getRemainingTimeInMillis?.();
    if (typeof remaining === 'number' && Number.isFinite(remaining)) {
      return Math.max(0, remaining - REMAINING_TIME_MARGIN_MS);
    }
  } catch {
    // Not a Lambda context: the configured bound alone.
  }
  return Number.POSITIVE_INFINITY;
}
