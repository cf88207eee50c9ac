import { createHash } from 'node:crypto';
import { BasaltConfigError } from '../core/errors.js';

/**
 * The run file (format version 1): one experiment run, or one shard of it, saved as JSON under
 * `.basalt/experiments/` by `experiments.run` and read by `basalt-observe compare`. The shape is the
 * contract between the two (docs/experiments.md). Node-only: the root entry never imports this module
 * statically (it is loaded with the runner).
 */

export const RUN_FILE_FORMAT = 'basalt-observe.experiment-run';
/** The newest format version this code writes and reads. */
export const RUN_FILE_VERSION = 1;

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

/** One item of a run: what went in, what came out, how long it took and what it cost. */
export interface RunResult {
  /** Position of the item in the whole `data` (before sharding). */
  index: number;
  /** Aligns the item across runs: see `itemKey`. */
  key: string;
  /** The item as given (`{ values, idealOutput?, metadata? }` for dataset rows), as JSON. */
  item: unknown;
  status: RunStatus;
  /** What the task returned, as JSON; `null` when failed or cancelled. */
  output: unknown;
  error: { name: string; message: string } | null;
  /** Wall time of the task (and its root span), in ms; 0 for a cancelled item. */
  durationMs: number;
  /** The item's trace id (32 hex), `null` when tracing was off or the item never ran. */
  traceId: string | null;
  /** Sum of the item's generation spans; `null` when none reported usage. */
  usage: { inputTokens: number; outputTokens: number } | null;
  /** Local scores: numbers (a boolean is stored as 1/0). */
  scores: Record<string, number>;
  /** The message of each scorer that threw for this item. */
  scoreErrors: Record<string, string>;
}

export interface RunSummary {
  items: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Over succeeded and failed items (not cancelled); `null` each when there are none. */
  latencyMs: { p50: number | null; p95: number | null; mean: number | null };
  tokens: { input: number; output: number };
  /** Per scorer: the mean over the items that have that score, and their count. */
  scores: Record<string, { mean: number; count: number }>;
}

export interface RunFile {
  format: typeof RUN_FILE_FORMAT;
  version: number;
  /** Unique per run file (each shard has its own). */
  runId: string;
  /** The run's name (shards of one run share it). */
  name: string;
  experiment: { id: string; name: string; featureSlug: string };
  createdAt: string;
  finishedAt: string;
  shard: { index: number; count: number };
  summary: RunSummary;
  results: RunResult[];
}

/**
 * Summary of results. Latency percentiles use linear interpolation between closest ranks (as
 * numpy's default), over succeeded and failed items; a score's mean is over the items having it.
 */
export function summarize(results: readonly RunResult[]): RunSummary {
  const summary: RunSummary = {
    items: results.length,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    latencyMs: { p50: null, p95: null, mean: null },
    tokens: { input: 0, output: 0 },
    scores: {},
  };
  const durations: number[] = [];
  const sums: Record<string, number> = {};
  for (const result of results) {
    summary[result.status]++;
    if (result.status !== 'cancelled') durations.push(result.durationMs);
    if (result.usage) {
      summary.tokens.input += result.usage.inputTokens;
      summary.tokens.output += result.usage.outputTokens;
    }
    for (const [name, value] of Object.entries(result.scores)) {
      sums[name] = (sums[name] ?? 0) + value;
      const entry = summary.scores[name] ?? { mean: 0, count: 0 };
      entry.count++;
      summary.scores[name] = entry;
    }
  }
  for (const [name, entry] of Object.entries(summary.scores)) entry.mean = (sums[name] ?? 0) / entry.count;
  if (durations.length > 0) {
    durations.sort((a, b) => a - b);
    summary.latencyMs = {
      p50: percentile(durations, 0.5),
      p95: percentile(durations, 0.95),
      mean: durations.reduce((a, b) => a + b, 0) / durations.length,
    };
  }
  return summary;
}

/** The `q` quantile of sorted, non-empty `values`, interpolated linearly between closest ranks. */
export function percentile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/**
 * The key that aligns an item across runs: its `id` as a string when it has a string or finite
 * number `id`, else `h:` and the first 16 hex digits of the SHA-256 of the canonical JSON (keys
 * sorted at every level) of `item.values`, or of the whole item when it has no `values`. Never throws.
 */
export function itemKey(item: unknown): string {
  if (item !== null && typeof item === 'object') {
    const { id, values } = item as { id?: unknown; values?: unknown };
    if ((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id))) return String(id);
    if (values !== undefined) return hashKey(values);
  }
  return hashKey(item);
}

function hashKey(value: unknown): string {
  return `h:${createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16)}`;
}

/**
 * JSON with the keys of every object sorted, so that key order does not change the hash. What
 * `JSON.stringify` drops (undefined, functions, symbols) is dropped; a bigint is written as its
 * decimal string, a repeated (circular) object as `"[Circular]"`. Never throws.
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (node: unknown): string | undefined => {
    if (typeof node === 'bigint') return JSON.stringify(node.toString());
    if (node === null || typeof node !== 'object') {
      if (node === undefined || typeof node === 'function' || typeof node === 'symbol') return undefined;
      return JSON.stringify(node) ?? 'null';
    }
    if (seen.has(node)) return '"[Circular]"';
    seen.add(node);
    try {
      const toJSON = (node as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(node));
      if (Array.isArray(node)) return `[${node.map((entry) => walk(entry) ?? 'null').join(',')}]`;
      const parts: string[] = [];
      for (const key of Object.keys(node).sort()) {
        const text = walk((node as Record<string, unknown>)[key]);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    } catch {
      return '"[Unreadable]"';
    } finally {
      seen.delete(node);
    }
  };
  return walk(value) ?? 'null';
}

/**
 * Parses and checks a run file's text. `path` only names the file in errors.
 *
 * @throws {BasaltConfigError} naming the file when it is not JSON, not a run file (`format`), of a
 *   newer format version than this code reads, or not of the expected shape.
 */
export function parseRunFile(text: string, path: string): RunFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BasaltConfigError(`${path} is not a basalt-observe run file: not JSON (${(error as Error).message})`);
  }
  const file = (data ?? {}) as Partial<RunFile>;
  if (typeof data !== 'object' || file.format !== RUN_FILE_FORMAT) {
    throw new BasaltConfigError(`${path} is not a basalt-observe run file: "format" is not "${RUN_FILE_FORMAT}"`);
  }
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1) {
    throw new BasaltConfigError(`${path}: "version" must be a positive integer; got ${JSON.stringify(file.version)}`);
  }
  if (file.version > RUN_FILE_VERSION) {
    throw new BasaltConfigError(
      `${path} is a run file of format version ${file.version}; this basalt-observe reads up to version ${RUN_FILE_VERSION}: upgrade basalt-observe to read it`,
    );
  }
  const problem = shapeProblem(file);
  if (problem) throw new BasaltConfigError(`${path} is not a valid basalt-observe run file: ${problem}`);
  return file as RunFile;
}

const STATUSES: readonly string[] = ['succeeded', 'failed', 'cancelled'];

function shapeProblem(file: Partial<RunFile>): string | undefined {
  if (typeof file.runId !== 'string') return '"runId" is not a string';
  if (typeof file.name !== 'string') return '"name" is not a string';
  const exp = file.experiment;
  if (!exp || typeof exp.id !== 'string' || typeof exp.name !== 'string') return '"experiment" lacks id or name';
  if (typeof file.createdAt !== 'string') return '"createdAt" is not a string';
  const shard = file.shard;
  if (!shard || !Number.isInteger(shard.index) || !Number.isInteger(shard.count))
    return '"shard" is not { index, count }';
  if (!file.summary || typeof file.summary !== 'object') return '"summary" is missing';
  if (!Array.isArray(file.results)) return '"results" is not an array';
  for (let i = 0; i < file.results.length; i++) {
    const r = file.results[i] as Partial<RunResult> | null;
    if (!r || typeof r !== 'object') return `results[${i}] is not an object`;
    if (typeof r.index !== 'number' || typeof r.key !== 'string') return `results[${i}] lacks index or key`;
    if (!STATUSES.includes(r.status as string)) return `results[${i}].status is ${JSON.stringify(r.status)}`;
    if (typeof r.durationMs !== 'number') return `results[${i}].durationMs is not a number`;
    if (!r.scores || typeof r.scores !== 'object') return `results[${i}].scores is not an object`;
  }
  return undefined;
}

/** What tells runs apart: files with the same experiment id and run name are shards of one run. */
export function runGroupKey(run: Pick<RunFile, 'experiment' | 'name'>): string {
  return `${run.experiment.id}\u0000${run.name}`;
}
