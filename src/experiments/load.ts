import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BasaltConfigError } from '../core/errors.js';
import { describeType } from '../core/values.js';
import { parseRunFile, type RunFile, runGroupKey } from './run-file.js';

/** A run file and where it was read from. */
export interface LoadedRun {
  path: string;
  run: RunFile;
}

/** What `listRuns` found in a folder. */
export interface RunListing {
  /** Whether the folder exists. */
  exists: boolean;
  /** The run files, oldest `createdAt` first. */
  runs: LoadedRun[];
  /** The `.json` files that are not run files this package reads, with the reason. */
  skipped: { path: string; reason: string }[];
}

async function readOne(path: string): Promise<RunFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BasaltConfigError(
      code === 'ENOENT' ? `no run file at ${path}` : `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  return parseRunFile(text, path);
}

/**
 * Reads run files. Rejects with an error naming the file when one is missing, is not a run file,
 * or is of a newer format version than this package reads.
 *
 * @example
 * ```ts
 * const runs = await readRuns(['.basalt/experiments/a.json', '.basalt/experiments/b.json']);
 * ```
 */
export async function readRuns(paths: readonly string[]): Promise<RunFile[]> {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string')) {
    throw new BasaltConfigError(`readRuns needs an array of file paths; got ${describeType(paths)}`);
  }
  return Promise.all(paths.map(readOne));
}

/**
 * Every run file in `dir` (not its subfolders), oldest first. Files that are not run files are
 * skipped and listed, never thrown: the folder may hold other things.
 */
export async function listRuns(dir: string): Promise<RunListing> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, runs: [], skipped: [] };
    throw error;
  }
  const runs: LoadedRun[] = [];
  const skipped: RunListing['skipped'] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    try {
      runs.push({ path, run: await readOne(path) });
    } catch (error) {
      skipped.push({ path, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  runs.sort((a, b) => (a.run.createdAt < b.run.createdAt ? -1 : a.run.createdAt > b.run.createdAt ? 1 : 0));
  return { exists: true, runs, skipped };
}

/**
 * The files of the `count` latest runs among `runs` (oldest first), a run's shards counting as one:
 * the runs are told apart by experiment id and name, and ordered by their latest `createdAt`.
 */
export function latestRuns(runs: readonly LoadedRun[], count: number): LoadedRun[] {
  const keys = runs.map(({ run }) => runGroupKey(run));
  const latest = new Map<string, string>();
  for (let i = 0; i < runs.length; i++) {
    const id = keys[i] as string;
    const at = latest.get(id);
    const createdAt = (runs[i] as LoadedRun).run.createdAt;
    if (at === undefined || createdAt > at) latest.set(id, createdAt);
  }
  const chosen = [...latest.entries()]
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .slice(-count)
    .map(([id]) => id);
  const out: LoadedRun[] = [];
  for (const id of chosen) {
    for (let i = 0; i < runs.length; i++) if (keys[i] === id) out.push(runs[i] as LoadedRun);
  }
  return out;
}
