import { BasaltConfigError } from '../core/errors.js';
import { describeType, isRecord } from '../core/values.js';
import { type RunFile, type RunResult, type RunSummary, runGroupKey, summarize } from './run-file.js';

/** The differences of a run's figures from the first run's (this run's minus the first's). */
export interface RunDelta {
  items: number;
  failed: number;
  cancelled: number;
  /** `null` when either run has no latency (no item ran). */
  latencyP50: number | null;
  latencyP95: number | null;
  tokensInput: number;
  tokensOutput: number;
  /** Per scorer of the comparison; `null` when either run has no such score. */
  scores: Record<string, number | null>;
}

/** One run of a comparison: one run file, or the shards of one run merged. */
export interface ComparedRun {
  /** The run's name, followed by its experiment id when two runs of the comparison share a name. */
  label: string;
  name: string;
  experiment: RunFile['experiment'];
  /** The `runId` of each file merged into this run (one per shard). */
  runIds: string[];
  /** The earliest `createdAt` and the latest `finishedAt` of its files. */
  createdAt: string;
  finishedAt: string;
  /** The shard count of the run, and which shard indexes the comparison got. */
  shards: { count: number; present: number[] };
  /** Recomputed from the (merged) results. */
  summary: RunSummary;
  /** Against the first run; `null` for the first run itself. */
  delta: RunDelta | null;
}

/** One item across the runs, aligned by its key. */
export interface ComparedItem {
  key: string;
  /** The item as the first run that has it got it. */
  item: unknown;
  /** The result of each run, by run position; `null` where a run has no item with this key. */
  results: (RunResult | null)[];
}

/** What `compareRuns` returns: the runs with their figures, and every item side by side. */
export interface Comparison {
  runs: ComparedRun[];
  /** Every scorer name found in any run, sorted. */
  scoreNames: string[];
  /** Every key of every run: the first run's order, then keys only later runs have. */
  items: ComparedItem[];
  /** The items some run does not have, with the positions of the runs that miss them. */
  unmatched: { key: string; missingFrom: number[] }[];
  /** Things the reader should know (a shard missing from a run). */
  warnings: string[];
}

interface RunGroup {
  files: RunFile[];
}

/** Files with the same experiment id and run name are shards of one run (run-format.md). */
function groupShards(runs: readonly RunFile[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.runId)) continue; // the same file given twice
    seen.add(run.runId);
    const id = runGroupKey(run);
    const group = groups.get(id);
    if (group) group.files.push(run);
    else groups.set(id, { files: [run] });
  }
  return [...groups.values()];
}

type MergedRun = Omit<ComparedRun, 'label' | 'delta'> & { results: RunResult[] };

function mergeGroup(group: RunGroup, warnings: string[]): MergedRun {
  const files = group.files.slice().sort((a, b) => (a.shard?.index ?? 0) - (b.shard?.index ?? 0));
  const first = files[0]!;
  const results: RunResult[] = [];
  for (const file of files) for (const result of file.results) results.push(result);
  if (files.length > 1) results.sort((a, b) => a.index - b.index);
  const count = Math.max(...files.map((f) => f.shard?.count ?? 1));
  const present = files.map((f) => f.shard?.index ?? 0);
  if (present.length < count) {
    const missing = [...Array(count).keys()].filter((i) => !present.includes(i));
    warnings.push(
      `run "${first.name}" has ${count} shards; shard(s) ${missing.join(', ')} missing from the comparison`,
    );
  }
  return {
    name: first.name,
    experiment: first.experiment,
    runIds: files.map((f) => f.runId),
    createdAt: files.map((f) => f.createdAt).sort()[0]!,
    finishedAt: files
      .map((f) => f.finishedAt)
      .sort()
      .at(-1)!,
    shards: { count, present },
    summary: summarize(results),
    results,
  };
}

function difference(a: number | null | undefined, b: number | null | undefined): number | null {
  return typeof a === 'number' && typeof b === 'number' ? a - b : null;
}

function deltaOf(run: RunSummary, base: RunSummary, scoreNames: readonly string[]): RunDelta {
  const scores: Record<string, number | null> = {};
  for (const name of scoreNames) scores[name] = difference(run.scores[name]?.mean, base.scores[name]?.mean);
  return {
    items: run.items - base.items,
    failed: run.failed - base.failed,
    cancelled: run.cancelled - base.cancelled,
    latencyP50: difference(run.latencyMs.p50, base.latencyMs.p50),
    latencyP95: difference(run.latencyMs.p95, base.latencyMs.p95),
    tokensInput: run.tokens.input - base.tokens.input,
    tokensOutput: run.tokens.output - base.tokens.output,
    scores,
  };
}

/** Lines up the results of every run by item key; a key repeated within a run gets `#2`, `#3`… */
function align(perRun: readonly RunResult[][]): Pick<Comparison, 'items' | 'unmatched'> {
  const byKey = new Map<string, ComparedItem>();
  for (const [position, results] of perRun.entries()) {
    const occurrences = new Map<string, number>();
    for (const result of results) {
      const n = (occurrences.get(result.key) ?? 0) + 1;
      occurrences.set(result.key, n);
      const key = n === 1 ? result.key : `${result.key}#${n}`;
      let row = byKey.get(key);
      if (!row) {
        row = { key, item: result.item, results: new Array(perRun.length).fill(null) };
        byKey.set(key, row);
      }
      row.results[position] = result;
    }
  }
  const items = [...byKey.values()];
  const unmatched: Comparison['unmatched'] = [];
  for (const row of items) {
    const missingFrom: number[] = [];
    for (let i = 0; i < row.results.length; i++) if (row.results[i] === null) missingFrom.push(i);
    if (missingFrom.length > 0) unmatched.push({ key: row.key, missingFrom });
  }
  return { items, unmatched };
}

/**
 * Compares experiment runs: per run its figures (items, failures, latency p50/p95, tokens, mean
 * scores) and their deltas against the first run, and every item side by side, aligned by key.
 * Run files with the same experiment id and name are shards of one run and are merged. One run
 * gives a comparison of one (its summary and items).
 *
 * @example
 * ```ts
 * import { compareRuns, readRuns, renderComparisonTable } from 'basalt-observe/experiments';
 * const comparison = compareRuns(await readRuns(['baseline.json', 'candidate.json']));
 * console.log(renderComparisonTable(comparison));
 * ```
 * @throws {BasaltConfigError} when `runs` is not an array of run files.
 */
export function compareRuns(runs: readonly RunFile[]): Comparison {
  if (!Array.isArray(runs))
    throw new BasaltConfigError(`compareRuns needs an array of run files; got ${describeType(runs)}`);
  for (const [i, run] of runs.entries()) {
    if (!isRecord(run) || !Array.isArray(run.results) || !isRecord(run.experiment)) {
      throw new BasaltConfigError(
        `compareRuns: runs[${i}] is not a run file (read one with readRuns or parseRunFile); got ${describeType(run)}`,
      );
    }
  }
  const warnings: string[] = [];
  const merged = groupShards(runs).map((group) => mergeGroup(group, warnings));
  const scoreNames = [...new Set(merged.flatMap((run) => Object.keys(run.summary.scores)))].sort();
  const names = merged.map((run) => run.name);
  const compared: ComparedRun[] = merged.map((run) => ({
    label: names.indexOf(run.name) === names.lastIndexOf(run.name) ? run.name : `${run.name} (${run.experiment.id})`,
    name: run.name,
    experiment: run.experiment,
    runIds: run.runIds,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    shards: run.shards,
    summary: run.summary,
    delta: null,
  }));
  const base = compared[0];
  if (base) for (const run of compared.slice(1)) run.delta = deltaOf(run.summary, base.summary, scoreNames);
  return { runs: compared, scoreNames, warnings, ...align(merged.map((run) => run.results)) };
}
