import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunFile } from './run-file.js';

/**
 * Writes a run file into `dir` (created if missing), relative to the current directory, and returns
 * its absolute path. The name is `<createdAt compact>-<slug of the run name>[-shard<i>of<n>]-<random>.json`;
 * the file is written under a temporary name then renamed, so a reader never sees half a file.
 */
export async function saveRunFile(run: RunFile, dir: string): Promise<string> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const path = join(folder, runFileName(run));
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, runFileText(run), { encoding: 'utf8', flag: 'wx' });
  await rename(temporary, path);
  return path;
}

export function runFileName(run: Pick<RunFile, 'createdAt' | 'name' | 'shard'>): string {
  const compact = run.createdAt.replace(/[-:]/g, '').replace('.', '');
  const shard = run.shard.count > 1 ? `-shard${run.shard.index}of${run.shard.count}` : '';
  return `${compact}-${slugOf(run.name)}${shard}-${randomBytes(3).toString('hex')}.json`;
}

/** Lower case letters, digits and dashes, at most 48 characters; `run` when nothing is left. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || 'run';
}

/**
 * The run as JSON text. Items and outputs are the user's values: a bigint is written as its decimal
 * string and a circular reference as `"[Circular]"` rather than failing the save.
 */
export function runFileText(run: RunFile): string {
  const ancestors: object[] = [];
  return JSON.stringify(run, function replacer(this: unknown, _key, value: unknown) {
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    // `this` is the object holding `value`: drop the ancestors that are not above it any more.
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    return value;
  });
}
