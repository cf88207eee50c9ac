import { createHash } from 'node:crypto';
import { isRecord } from '../core/values.js';

/**
 * The run file (format version 1, /work/notes/run-format.md): one experiment run saved as JSON under
 * `.basalt/experiments/`. Shared by the runner, which writes it, and the comparison, which reads it.
 *
 * NOTE (wt-compare): a minimal copy written against the agreed names while wt-runner writes the
 * real module; the lead keeps one at merge.
 */

/** The `format` of every run file. */
export const RUN_FILE_FORMAT = 'basalt-observe.experiment-run';
/** The newest run file version this package reads and writes. */
export const RUN_FILE_VERSION = 1;

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

/** One item's result in a run. */
export interface RunResult {
  index: number;
  /** The item's `id` as a string, else `h:` and a hash of its values (`itemKey`). */
  key: string;
  item: unknown;
  status: RunStatus;
  output: unknown;
  error: { name: string; message: string } | null;
  durationMs: number;
  traceId: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  scores: Record<string, number>;
  scoreErrors?: Record<string, string>;
}

/** A run's figures, computed from its results by `summarize`. */
export interface RunSummary {
  items: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Over succeeded and failed items (not cancelled ones); `null` when there is none. */
  latencyMs: { p50: number | null; p95: number | null; mean: number | null };
  tokens: { input: number; output: number };
  /** Per scorer: the mean over the items that have its score. */
  scores: Record<string, { mean: number; count: number }>;
}

/** A whole run file. */
export interface RunFile {
  format: typeof RUN_FILE_FORMAT;
  version: number;
  runId: string;
  name: string;
  experiment: { id: string; name: string; featureSlug: string };
  createdAt: string;
  finishedAt: string;
  shard: { index: number; count: number };
  summary: RunSummary;
  results: RunResult[];
}

/** The `q`-quantile (0..1) of sorted numbers, nearest rank. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The summary of a run's results (also of shards' results put together). */
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
  const sums: Record<string, { sum: number; count: number }> = {};
  for (const result of results) {
    summary[result.status]++;
    if (result.status !== 'cancelled' && Number.isFinite(result.durationMs)) durations.push(result.durationMs);
    if (result.usage) {
      summary.tokens.input += result.usage.inputTokens || 0;
      summary.tokens.output += result.usage.outputTokens || 0;
    }
    for (const [name, score] of Object.entries(result.scores ?? {})) {
      if (!Number.isFinite(score)) continue;
      const entry = sums[name] ?? { sum: 0, count: 0 };
      entry.sum += score;
      entry.count++;
      sums[name] = entry;
    }
  }
  durations.sort((a, b) => a - b);
  if (durations.length > 0) {
    summary.latencyMs = {
      p50: quantile(durations, 0.5),
      p95: quantile(durations, 0.95),
      mean: durations.reduce((a, b) => a + b, 0) / durations.length,
    };
  }
  for (const [name, { sum, count }] of Object.entries(sums)) summary.scores[name] = { mean: sum / count, count };
  return summary;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The key that aligns an item across runs: its `id` as a string when it has one, else `h:` and the
 * first 16 hex digits of the SHA-256 of the canonical JSON of its `values` (or of the whole item).
 */
export function itemKey(item: unknown): string {
  if (isRecord(item) && (typeof item.id === 'string' || typeof item.id === 'number')) return String(item.id);
  const values = isRecord(item) && 'values' in item ? item.values : item;
  return `h:${createHash('sha256').update(canonicalJson(values)).digest('hex').slice(0, 16)}`;
}

function invalid(path: string, why: string): Error {
  return new Error(`${path} is not a basalt-observe experiment run file: ${why}`);
}

/**
 * Reads a run file's text. Throws an error naming `path` when the text is not a run file, or is one
 * of a newer version than this package reads.
 */
export function parseRunFile(text: string, path: string): RunFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(data) || data.format !== RUN_FILE_FORMAT) throw invalid(path, `no "format": "${RUN_FILE_FORMAT}"`);
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw invalid(path, `"version" must be a positive integer; got ${JSON.stringify(version)}`);
  }
  if (version > RUN_FILE_VERSION) {
    throw new Error(
      `${path} is an experiment run file of version ${version}; this basalt-observe reads version ` +
        `${RUN_FILE_VERSION} at most: update basalt-observe to read it`,
    );
  }
  if (typeof data.name !== 'string') throw invalid(path, '"name" is not a string');
  const experiment = data.experiment;
  if (!isRecord(experiment) || typeof experiment.id !== 'string') throw invalid(path, '"experiment.id" is missing');
  if (!Array.isArray(data.results)) throw invalid(path, '"results" is not an array');
  for (const [i, result] of data.results.entries()) {
    if (
      !isRecord(result) ||
      typeof result.key !== 'string' ||
      !['succeeded', 'failed', 'cancelled'].includes(String(result.status))
    ) {
      throw invalid(path, `results[${i}] has no string "key" or no valid "status"`);
    }
  }
  return data as unknown as RunFile;
}
