import type { DatasetRow } from '../core/dataset.js';
import { BasaltConfigError } from '../core/errors.js';
import type { Experiment } from '../core/experiments.js';
import type { BasaltSpan } from '../core/tracing/basalt-span.js';
import type { ExperimentRef, Identity } from '../core/tracing/context.js';
import { describeValue, isRecord } from '../core/values.js';
import type { RunResult, RunSummary } from './run-file.js';

/** What a task receives next to its item. */
export interface TaskContext {
  /** The item's root span (active while the task runs): `span.setMetadata(...)`, `span.identify(...)`. */
  span: BasaltSpan;
  /** Position of the item in `data` (before sharding). */
  index: number;
  /** Aborted when the run's `signal` is: pass it on to cancellable work (`generateText({ abortSignal })`). */
  signal: AbortSignal;
}

/** What a scorer receives: the item, the task's output, and the item's position. */
export interface ScorerInput<Item, Output> {
  item: Item;
  output: Output;
  index: number;
}

/** A local scorer: a number, or a boolean stored as 1/0. May be async. */
export type Scorer<Item, Output> = (input: ScorerInput<Item, Output>) => number | boolean | Promise<number | boolean>;

/** Options of `basalt.experiments.run` (SPEC §11). */
export interface RunExperimentOptions<Item = DatasetRow, Output = unknown> {
  /** The feature of the run's traces. Default: the feature slug of `experiment` when it is an object. */
  featureSlug?: string;
  /**
   * The run's name: names each item's root span and the run file. Without `experiment`, the run
   * creates an experiment of this name. Default: the experiment's name.
   */
  name?: string;
  /** An experiment from `experiments.create` (or its id) that the run's traces join. */
  experiment?: Experiment | ExperimentRef | string;
  /** The items: an array (`dataset.rows`), an iterable or an async iterable. */
  data: Iterable<Item> | AsyncIterable<Item>;
  /** Runs one item, inside the item's own Basalt root; what it returns is the item's output. */
  task: (item: Item, context: TaskContext) => Output | Promise<Output>;
  /** Items run at once, at most. Default 4. */
  concurrency?: number;
  /** The identity of an item's trace. */
  identity?: (item: Item) => Identity | undefined;
  /** Local scorers, by name, run on each succeeded item. Their scores go to the result and the root's metadata. */
  scorers?: Record<string, Scorer<Item, Output>>;
  /** Slugs of Basalt evaluators to run on each item's trace, as on `startObserve`. */
  evaluators?: string[];
  /** As on `startObserve`. */
  evaluationConfig?: { sampleRate?: number };
  /** Cancels the run: items not started are marked cancelled; tasks in flight get the signal. */
  signal?: AbortSignal;
  /** Runs only the items at positions `i` with `i % count === index` (0-based), against the same experiment. */
  shard?: { index: number; count: number };
  /**
   * Saves the run file. Default: saved under `.basalt/experiments` in local mode (no API key), not
   * saved with an API key. `true` saves there; `{ dir }` saves in `dir`; `false` saves nothing.
   */
  save?: boolean | { dir?: string };
  /** A progress bar on stderr. Default: when stderr is a TTY (never in CI logs or pipes). */
  progress?: boolean;
}

/** What `experiments.run` resolves to. */
export interface ExperimentRun {
  /** The experiment the run's traces joined. */
  experiment: { id: string; name: string; featureSlug: string };
  summary: RunSummary;
  /** One per item of the shard, in `index` order. */
  results: RunResult[];
  /** The run file's path, or `null` when not saved (or saving failed: a warning says why). */
  file: string | null;
}

/** The options checked, with defaults applied. */
export interface CheckedRunOptions<Item, Output> {
  options: RunExperimentOptions<Item, Output>;
  featureSlug: string;
  name: string | undefined;
  concurrency: number;
  shard: { index: number; count: number };
  scorers: Array<[string, Scorer<Item, Output>]>;
}

export const DEFAULT_CONCURRENCY = 4;

const fail = (problem: string): never => {
  throw new BasaltConfigError(`experiments.run: ${problem}`);
};

/**
 * Checks what can be checked before any item runs.
 * @throws {BasaltConfigError} naming the option.
 */
export function checkRunOptions<Item, Output>(
  options: RunExperimentOptions<Item, Output>,
): CheckedRunOptions<Item, Output> {
  if (!isRecord(options)) fail(`options must be an object; got ${describeValue(options)}`);
  const { data, task, experiment } = options;
  if (!isIterable(data)) fail(`data must be an array, an iterable or an async iterable; got ${describeValue(data)}`);
  if (typeof task !== 'function') fail(`task must be a function; got ${describeValue(task)}`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    fail(`concurrency must be an integer of at least 1; got ${describeValue(options.concurrency)}`);
  }
  const shard = checkShard(options.shard);
  const name = options.name;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    fail(`name must be a non-empty string; got ${describeValue(name)}`);
  }
  const expSlug = isRecord(experiment) ? experiment.featureSlug : undefined;
  const featureSlug = options.featureSlug ?? expSlug;
  if (typeof featureSlug !== 'string' || featureSlug.trim() === '') {
    fail(`featureSlug is required (or an experiment object carrying one); got ${describeValue(featureSlug)}`);
  }
  if (experiment === undefined && name === undefined) fail('needs a name (to create the experiment) or an experiment');
  if (experiment === undefined && shard.count > 1) {
    fail(
      'shards of one run must share one experiment: create it once (experiments.create) and pass it, or its id, as `experiment` to every shard',
    );
  }
  if (options.identity !== undefined && typeof options.identity !== 'function') {
    fail(`identity must be a function of the item; got ${describeValue(options.identity)}`);
  }
  const scorers = checkScorers(options.scorers);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    fail(`signal must be an AbortSignal; got ${describeValue(options.signal)}`);
  }
  if (options.save !== undefined && typeof options.save !== 'boolean' && !isRecord(options.save)) {
    fail(`save must be a boolean or { dir }; got ${describeValue(options.save)}`);
  }
  return { options, featureSlug: featureSlug as string, name, concurrency, shard, scorers };
}

function checkShard(shard: unknown): { index: number; count: number } {
  if (shard === undefined) return { index: 0, count: 1 };
  if (!isRecord(shard)) return fail(`shard must be { index, count }; got ${describeValue(shard)}`);
  const { index, count } = shard;
  if (!Number.isInteger(count) || (count as number) < 1) {
    fail(`shard.count must be an integer of at least 1; got ${describeValue(count)}`);
  }
  if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= (count as number)) {
    fail(
      `shard.index must be an integer from 0 to shard.count - 1 (${(count as number) - 1}); got ${describeValue(index)}`,
    );
  }
  return { index: index as number, count: count as number };
}

function checkScorers<Item, Output>(scorers: unknown): Array<[string, Scorer<Item, Output>]> {
  if (scorers === undefined) return [];
  if (!isRecord(scorers)) return fail(`scorers must be an object of functions; got ${describeValue(scorers)}`);
  const entries = Object.entries(scorers);
  for (const [name, scorer] of entries) {
    if (typeof scorer !== 'function') fail(`scorers.${name} must be a function; got ${describeValue(scorer)}`);
  }
  return entries as Array<[string, Scorer<Item, Output>]>;
}

function isIterable(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'string') return false;
  const it = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof it[Symbol.iterator] === 'function' || typeof it[Symbol.asyncIterator] === 'function';
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return isRecord(value) && typeof value.aborted === 'boolean' && typeof value.addEventListener === 'function';
}
