import { Basalt } from './client.js';
import type { BasaltOptions } from './config.js';
import { ensureRuntime } from './tracing/runtime.js';

/**
 * Starts Basalt tracing now, for Next.js's `instrumentation.ts` (`register()`), rather than on the
 * first span. Next.js starts its own request span before the route runs, with whatever
 * TracerProvider is registered at that moment: started here, ours (or the app's, found by its
 * `BasaltSpanProcessor`) is registered before the first request, so that request's Basalt roots are
 * children of Next.js's request span exactly like every later request's (#12.2).
 *
 * With `options`, it first makes the process's client from them (as `new Basalt(options)`); without,
 * it uses the client already created, or the environment, as a first span would. Alongside
 * `@vercel/otel`, call it after `registerOTel({ spanProcessors: [new BasaltSpanProcessor(), …] })`,
 * so Basalt finds that provider rather than registering its own. A second call, or a call after
 * spans were recorded, changes nothing and is said once.
 *
 * @throws {BasaltConfigError} when an option or environment variable is invalid.
 * @example
 * // instrumentation.ts
 * export async function register() {
 *   if (process.env.NEXT_RUNTIME === 'nodejs') {
 *     const { registerBasalt } = await import('basalt-observe');
 *     registerBasalt({ telemetry: { serviceName: 'web' } });
 *   }
 * }
 */
export function registerBasalt(options?: BasaltOptions): void {
  if (options !== undefined) void new Basalt(options);
  const runtime = ensureRuntime();
  const { diagnostics, logger } = runtime;
  const tracing = runtime.tracingState;
  // Tracing turned off (`enabled: false`, BASALT_TELEMETRY_ENABLED=false): nothing to start, nothing to say.
  if (tracing === 'disabled') return;
  if (diagnostics.registered || tracing !== 'not-started') {
    // One warning however often it happens: a second call, or a call once spans exist.
    logger.once(
      'register-basalt',
      'warn',
      diagnostics.registered
        ? 'registerBasalt() was called again: ignored (tracing started at the first call, with one TracerProvider). Call it once, in instrumentation.ts.'
        : `registerBasalt() was called after tracing had started (${tracing}): nothing changed, and requests served before it may not be children of the framework's request span. Call it first, in instrumentation.ts's register().`,
    );
    diagnostics.registered = true;
    return;
  }
  diagnostics.registered = true;
  runtime.tracer();
}
