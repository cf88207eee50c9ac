import { currentRuntime } from './runtime.js';

const EXIT_FLUSH = Symbol.for('basalt-observe.exit-flush');

/**
 * One `beforeExit` listener per process (not per runtime): when the event loop empties in a script
 * that never calls shutdown(), open operations end and what is queued is flushed. A flush with
 * nothing queued schedules no work, so the listener cannot keep the process alive.
 */
export function installExitFlush(): void {
  const proc = globalThis.process as (NodeJS.Process & { [EXIT_FLUSH]?: true }) | undefined;
  if (!proc || typeof proc.on !== 'function' || proc[EXIT_FLUSH]) return;
  proc[EXIT_FLUSH] = true;
  proc.on('beforeExit', () => {
    const runtime = currentRuntime();
    if (!runtime || runtime.isShutdown) return;
    // Nothing can make progress any more: an operation still open (an abandoned stream) never will.
    runtime.abandonOpen();
    if (runtime.pending() > 0) void runtime.flush();
  });
}
