import { randomUUID } from 'node:crypto';
import { BasaltConfigError } from '../core/errors.js';
import type { CreateExperimentParams, Experiment } from '../core/experiments.js';
import type { Logger } from '../core/logger.js';
import { isRecord } from '../core/values.js';
import { type Progress, startProgress } from './progress.js';
import { RUN_FILE_FORMAT, RUN_FILE_VERSION, type RunFile, type RunResult, summarize } from './run-file.js';
import { cancelledResult, type ItemRunner, runItem } from './run-item.js';
import {
  type CheckedRunOptions,
  checkRunOptions,
  type ExperimentRun,
  type RunExperimentOptions,
} from './run-options.js';
import { saveRunFile } from './run-store.js';

/** What the runner needs from the client. */
export interface RunnerDeps {
  createExperiment(params: CreateExperimentParams): Promise<Experiment>;
  /** No API key: the run file is saved by default. */
  local: boolean;
  logger: Logger;
}

/** Default folder of run files, relative to the current directory. */
export const DEFAULT_RUNS_DIR = '.basalt/experiments';

/**
 * `experiments.run` (SPEC §11), loaded with `import()` by `Experiments#run`: Node only.
 * @throws {BasaltConfigError} before any item runs, when an option is invalid.
 */
export async function runExperiment<Item, Output>(
  raw: RunExperimentOptions<Item, Output>,
  deps: RunnerDeps,
): Promise<ExperimentRun> {
  const checked = checkRunOptions(raw);
  const { options, featureSlug, shard } = checked;
  const experiment = await resolveExperiment(checked, deps);
  const name = checked.name ?? experiment.name;
  const createdAt = new Date();
  const signal = options.signal ?? new AbortController().signal;
  const runner: ItemRunner<Item, Output> = { checked, name, experiment: options.experiment ?? experiment, signal };
  const total = Array.isArray(options.data) ? shardSize(options.data.length, shard) : undefined;
  const progress =
    (options.progress ?? process.stderr.isTTY === true) ? await startProgress(total, deps.logger) : undefined;
  let results: RunResult[];
  try {
    results = await runAll(runner, progress);
  } finally {
    progress?.stop();
  }
  results.sort((a, b) => a.index - b.index);
  const summary = summarize(results);
  const run = { experiment: { id: experiment.id, name: experiment.name, featureSlug }, summary, results, file: null };
  const dir = saveDir(options.save, deps.local);
  if (dir === undefined) return run;
  const file: RunFile = {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: randomUUID(),
    name,
    experiment: run.experiment,
    createdAt: createdAt.toISOString(),
    finishedAt: new Date().toISOString(),
    shard,
    summary,
    results,
  };
  try {
    return { ...run, file: await saveRunFile(file, dir) };
  } catch (error) {
    // Once per run, not per process: each run whose file is missing deserves its warning.
    deps.logger.warn(`experiments.run could not save the run file in ${dir}: ${String(error)}`);
    return run;
  }
}

async function resolveExperiment<Item, Output>(
  checked: CheckedRunOptions<Item, Output>,
  deps: RunnerDeps,
): Promise<{ id: string; name: string }> {
  const { experiment } = checked.options;
  if (experiment === undefined) {
    return deps.createExperiment({ featureSlug: checked.featureSlug, name: checked.name as string });
  }
  const id = typeof experiment === 'string' ? experiment : isRecord(experiment) ? experiment.id : undefined;
  if (typeof id !== 'string' || id === '') {
    throw new BasaltConfigError('experiments.run: experiment must be an experiment object with an id, or its id');
  }
  const own = typeof experiment === 'string' ? undefined : experiment.name;
  return { id, name: own ?? checked.name ?? id };
}

function saveDir(save: RunExperimentOptions['save'], local: boolean): string | undefined {
  if (save === false || (save === undefined && !local)) return undefined;
  return (typeof save === 'object' && save.dir) || DEFAULT_RUNS_DIR;
}

/** Items of an array of `length` that fall in the shard. */
function shardSize(length: number, shard: { index: number; count: number }): number {
  return length > shard.index ? Math.ceil((length - shard.index) / shard.count) : 0;
}

interface Taken<Item> {
  item: Item;
  position: number;
}

/**
 * Runs the shard's items, at most `concurrency` at once: that many workers each take the next item
 * and run it. After an abort, no item starts; those not started are cancelled (for an array, every
 * remaining item of the shard; for another iterable, no more is read from it). When reading `data`
 * throws, no item starts after it, those in flight finish, and the run rejects with that error.
 */
async function runAll<Item, Output>(
  runner: ItemRunner<Item, Output>,
  progress: Progress | undefined,
): Promise<RunResult[]> {
  const { options, concurrency, shard } = runner.checked;
  const { signal } = runner;
  const results: RunResult[] = [];
  const source = openSource(options.data, shard);
  // A `data` that throws stops the run: no item starts after it, those in flight finish, then it rejects.
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!signal.aborted && !failure) {
      let next: Taken<Item> | undefined;
      try {
        next = await source.take();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (!next) return;
      const result = signal.aborted
        ? cancelledResult(next.item, next.position)
        : await runItem(runner, next.item, next.position);
      results.push(result);
      progress?.update(result);
    }
  };
  // No more workers than items: an array's shard size is known.
  const workers = Math.min(concurrency, source.size ?? concurrency);
  try {
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    await source.close().catch(() => undefined);
  }
  if (failure) throw failure.error;
  if (signal.aborted) for (const rest of source.remaining()) results.push(cancelledResult(rest.item, rest.position));
  return results;
}

interface Source<Item> {
  /** Items of the shard, when known (an array). */
  size?: number;
  take(): Promise<Taken<Item> | undefined>;
  /** The shard's items never taken (arrays only: another iterable is not read further). */
  remaining(): Iterable<Taken<Item>>;
  close(): Promise<void>;
}

function openSource<Item>(
  data: Iterable<Item> | AsyncIterable<Item>,
  shard: { index: number; count: number },
): Source<Item> {
  if (Array.isArray(data)) {
    const items = data as Item[];
    let position = shard.index;
    const takeSync = (): Taken<Item> | undefined => {
      if (position >= items.length) return undefined;
      const taken = { item: items[position] as Item, position };
      position += shard.count;
      return taken;
    };
    return {
      size: shardSize(items.length, shard),
      take: async () => takeSync(),
      *remaining() {
        for (let next = takeSync(); next; next = takeSync()) yield next;
      },
      close: async () => undefined,
    };
  }
  const iterable = data as {
    [Symbol.asyncIterator]?: () => AsyncIterator<Item>;
    [Symbol.iterator]?: () => Iterator<Item>;
  };
  const asyncIterator = iterable[Symbol.asyncIterator];
  const iterator: AsyncIterator<Item> | Iterator<Item> = asyncIterator
    ? asyncIterator.call(data)
    : (iterable[Symbol.iterator] as () => Iterator<Item>).call(data);
  let position = -1;
  let done = false;
  // One read at a time: an iterator is not required to accept a `next()` before the last settled.
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<Taken<Item> | undefined> => {
    while (!done) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        return undefined;
      }
      position++;
      if (position % shard.count === shard.index) return { item: next.value, position };
    }
    return undefined;
  };
  return {
    take() {
      const taken = queue.then(read);
      queue = taken.catch(() => undefined);
      return taken;
    },
    remaining: () => [],
    async close() {
      await queue;
      if (!done) {
        done = true;
        await iterator.return?.();
      }
    },
  };
}
