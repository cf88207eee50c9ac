import { currentRuntime } from './runtime.js';

const EXIT_FLUSH = Symbol.for('basalt-observe.exit-flush');

/**
 * One `beforeExit` listener per process (not per runtime): when the event loop empties in a script
 * that never calls shutdown(), open operations end and what is queued is flushed. A flush with
 * nothing queued schedules no work, so the listener cannot keep the process alive.
 */
export function installExitFlush(): void {
  try {
    const proc = globalThis.process as (NodeJS.Process & { [EXIT_FLUSH]?: true }) | undefined;
    // Edge runtimes have no `process`, or one without `on` (Vercel Edge: only `env`): there the app
    // flushes through the platform's waitUntil (docs/runtimes.md).
    if (!proc || typeof proc.on !== 'function' || proc[EXIT_FLUSH]) return;
    proc[EXIT_FLUSH] = true;
    proc.on('beforeExit', () => {
      const runtime = currentRuntime();
      if (!runtime || runtime.isShutdown) return;
      // Nothing can make progress any more: an operation still open (an abandoned stream) never will.
      runtime.abandonOpen();
      if (runtime.pending() > 0) void runtime.flush();
    });
  } catch {
    // A `process` whose properties throw when read (a runtime's stub): no exit flush, never a throw.
  }
}
