import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  itemKey,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFile,
  type RunResult,
  summarize,
} from '../../src/experiments/run-file.js';

/**
 * Run files as the runner writes them (format version 1), made deterministically for the
 * comparison's tests, the browser check and the report bench: item `i` of `count` has input
 * `question i`, takes `latency(i)` ms, and fails when `fails(i)`.
 */
export interface RunSpec {
  name: string;
  experimentId?: string;
  count: number;
  /** Items given by id (`item-i`) rather than aligned by a hash of their values. */
  withIds?: boolean;
  /** The first item index (default 0): two runs with different starts have unmatched items. */
  start?: number;
  latency?: (i: number) => number;
  fails?: (i: number) => boolean;
  output?: (i: number) => unknown;
  score?: (i: number) => number | undefined;
  createdAt?: string;
  shard?: { index: number; count: number };
  /** Keep only the items of this shard (`i % count === index`). */
  sliceShard?: boolean;
}

export function makeRun(spec: RunSpec): RunFile {
  const results: RunResult[] = [];
  const start = spec.start ?? 0;
  for (let i = start; i < start + spec.count; i++) {
    if (spec.sliceShard && spec.shard && i % spec.shard.count !== spec.shard.index) continue;
    const item = spec.withIds
      ? { id: `item-${i}`, values: { question: `question ${i}` }, idealOutput: `answer ${i}` }
      : { values: { question: `question ${i}` }, idealOutput: `answer ${i}` };
    const failed = spec.fails?.(i) ?? false;
    const score = failed ? undefined : spec.score?.(i);
    results.push({
      index: i - start,
      key: itemKey(item),
      item,
      status: failed ? 'failed' : 'succeeded',
      output: failed ? null : (spec.output?.(i) ?? `answer ${i}`),
      error: failed ? { name: 'Error', message: `model refused item ${i}` } : null,
      durationMs: spec.latency?.(i) ?? 10 + (i % 7),
      traceId: null,
      usage: failed ? null : { inputTokens: 10 + (i % 3), outputTokens: 5 + (i % 4) },
      scores: score === undefined ? {} : { exact: score },
      scoreErrors: {},
    });
  }
  const createdAt = spec.createdAt ?? '2026-12-01T06:00:00.000Z';
  const shard = spec.shard ?? { index: 0, count: 1 };
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: `run-${spec.name.replace(/\W+/g, '-')}-${shard.index}of${shard.count}-${createdAt}`,
    name: spec.name,
    experiment: { id: spec.experimentId ?? 'local-exp-1', name: 'Experiment', featureSlug: 'support-ticket' },
    createdAt,
    finishedAt: createdAt,
    shard,
    summary: summarize(results),
    results,
  };
}

/** Writes `run` into `dir` under a name like the runner's; returns the path. */
export function writeRun(dir: string, run: RunFile, file?: string): string {
  mkdirSync(dir, { recursive: true });
  const slug = run.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const path = join(dir, file ?? `${run.createdAt.replace(/[-:.]/g, '')}-${slug}-shard${run.shard.index}.json`);
  writeFileSync(path, JSON.stringify(run));
  return path;
}
