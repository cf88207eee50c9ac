import type { Logger } from '../core/logger.js';
import type { RunResult } from './run-file.js';

/** The run's progress bar on stderr. */
export interface Progress {
  update(result: RunResult): void;
  stop(): void;
}

/**
 * Starts a progress bar on stderr (cli-progress, loaded only here): items done / total, failures,
 * items per second and ETA. `total` is unknown for an iterable that is not an array: the bar then
 * counts items done. A failure to draw stops the bar, never the run (it says so once at debug).
 */
export async function startProgress(total: number | undefined, logger: Logger): Promise<Progress | undefined> {
  try {
    const { SingleBar } = (await import('cli-progress')).default;
    const format =
      total === undefined
        ? 'experiment {value} done | {failed} failed | {rate}/s'
        : 'experiment [{bar}] {value}/{total} | {failed} failed | {rate}/s | ETA {eta_formatted}';
    const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 10 });
    const startedAt = performance.now();
    let done = 0;
    let failed = 0;
    bar.start(total ?? 0, 0, { failed, rate: '0.0' });
    return {
      update(result) {
        try {
          done++;
          if (result.status === 'failed') failed++;
          const rate = (done / Math.max((performance.now() - startedAt) / 1000, 0.001)).toFixed(1);
          if (total === undefined) bar.setTotal(done);
          bar.update(done, { failed, rate });
        } catch (error) {
          logger.once(
            'experiments.run.progress',
            'debug',
            `experiments.run: the progress bar failed: ${String(error)}`,
          );
        }
      },
      stop() {
        try {
          bar.stop();
        } catch {
          // The run's result matters more than the last frame of its bar.
        }
      },
    };
  } catch (error) {
    logger.once('experiments.run.progress', 'debug', `experiments.run: no progress bar: ${String(error)}`);
    return undefined;
  }
}
