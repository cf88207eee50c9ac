import type { Logger } from '../logger.js';
import { describe } from './safely.js';

/**
 * Vercel Functions expose the current request's context through a reader on `globalThis`, under
 * `Symbol.for('@vercel/request-context')`: `reader.get()` returns the request's `{ waitUntil, … }`.
 * This is what `@vercel/functions`' `getContext()` and `waitUntil()` read (3.x, `get-context.js`),
 * and what Next.js's `after()` uses on Vercel. We read it the same way rather than depend on the
 * package: it is one property on `globalThis`, and an app that never runs on Vercel pays nothing.
 */
const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');

interface RequestContext {
  waitUntil?: (promise: Promise<unknown>) => void;
}

interface RequestContextReader {
  get?: () => RequestContext | undefined;
}

/** Whether Vercel's request-context reader is installed in this process (a Vercel Function). */
export function hasVercelRequestContext(): boolean {
  return (globalThis as { [REQUEST_CONTEXT]?: unknown })[REQUEST_CONTEXT] !== undefined;
}

/**
 * Request contexts that have a flush scheduled and not yet started: a root that ends meanwhile is
 * exported by that flush, so a request gets one pending flush however many roots it ends. Weak, so
 * a finished request's context is not kept.
 */
const scheduled = new WeakMap<object, true>();

/**
 * Called when a Basalt root ends: inside a Vercel Functions request, hands a flush of what has ended
 * to that request's `waitUntil`, so the function is kept alive until the spans are exported instead
 * of being frozen with them queued (#12.1). The flush starts on the next macrotask, so roots that
 * end together share it; it never rejects and is bounded by `flush`'s own timeout. A `waitUntil`
 * that throws is said once and the flush still runs: only the keep-alive is lost. Never throws.
 */
export function handFlushToRequest(flush: () => Promise<void>, logger: Logger): void {
  const reader = (globalThis as { [REQUEST_CONTEXT]?: RequestContextReader })[REQUEST_CONTEXT];
  if (reader === undefined) return;
  try {
    const request = typeof reader?.get === 'function' ? reader.get() : undefined;
    const waitUntil = request?.waitUntil;
    if (typeof waitUntil !== 'function' || scheduled.has(request as object)) return;
    scheduled.set(request as object, true);
    const task = nextMacrotask().then(() => {
      scheduled.delete(request as object);
      return flush();
    });
    const settled = task.catch(() => undefined);
    try {
      waitUntil.call(request, settled);
    } catch (error) {
      logger.once(
        'wait-until-threw',
        'warn',
        `The Vercel request context's waitUntil() threw (${describe(error)}): Basalt still exports this request's spans, but cannot keep the function alive until they are sent. Call \`after(() => basalt.flush())\` (Next.js) or \`await basalt.flush()\` before responding.`,
      );
    }
  } catch (error) {
    logger.once('wait-until', 'warn', `Could not read the Vercel request context: ${describe(error)}`);
  }
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
