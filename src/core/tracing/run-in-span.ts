import { context } from '@opentelemetry/api';
import { isThenable } from '../values.js';
import type { BasaltSpan } from './basalt-span.js';

/**
 * Runs `fn` with `handle` active: ends the span when `fn` returns or what it returned settles, records
 * a thrown error or rejection, and returns exactly what `fn` returned (#10.17): the same Promise
 * (a subclass keeps its methods: ky's `.json()`), the same thenable, the same value.
 */
export function runInSpan<T>(handle: BasaltSpan, fn: (span: BasaltSpan) => T): T {
  let result: T;
  try {
    result = context.with(handle.context, fn, undefined, handle);
  } catch (error) {
    handle.recordError(error);
    handle.end();
    throw error;
  }
  endWhenSettled(handle, result);
  return result;
}

function endWhenSettled(handle: BasaltSpan, result: unknown): void {
  const ok = () => handle.end();
  const failed = (error: unknown) => {
    handle.recordError(error);
    handle.end();
  };
  if (result instanceof Promise) {
    // A side branch: the caller's promise is returned untouched, and its rejection stays the caller's
    // to handle (this branch handles its own).
    result.then(ok, failed);
    return;
  }
  if (!isThenable(result)) {
    handle.end();
    return;
  }
  // A thenable that is not a Promise (a query builder) may run its work on every `then`: calling it
  // here would run it twice. The span ends when the caller's `then` settles instead.
  try {
    const then = result.then;
    Object.defineProperty(result, 'then', {
      configurable: true,
      writable: true,
      value(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
        return then.call(
          result,
          (value: unknown) => {
            ok();
            return onFulfilled ? onFulfilled(value) : value;
          },
          (reason: unknown) => {
            failed(reason);
            if (onRejected) return onRejected(reason);
            throw reason;
          },
        );
      },
    });
  } catch {
    handle.end();
  }
}
