import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { columnsOf, type Dataset, readDataset, readRow } from './dataset.js';
import { BasaltConfigError } from './errors.js';

/**
 * Local mode of `datasets.get` (Node only: loaded with `import()` by `Datasets`, never statically by
 * the root entry). Reads `<dir>/<slug>.json`, else `<dir>/<slug>.jsonl`, relative to the current directory.
 */
export async function readLocalDataset(slug: string, dir: string): Promise<Dataset> {
  if (/[/\\]/.test(slug) || slug === '.' || slug === '..') {
    throw new BasaltConfigError(
      `datasets.get: in local mode the slug names a file in ${dir}, so it cannot contain "/" or "\\" or be "." or ".."; got ${JSON.stringify(slug)}`,
    );
  }
  const jsonPath = resolve(dir, `${slug}.json`);
  const jsonlPath = resolve(dir, `${slug}.jsonl`);
  const json = await readIfExists(jsonPath);
  if (json !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new BasaltConfigError(`${jsonPath} is not JSON: ${(error as Error).message}`);
    }
    const dataset = readDataset(data, slug);
    if (typeof dataset === 'string') throw new BasaltConfigError(`${jsonPath} is not a dataset: ${dataset}`);
    return dataset;
  }
  const jsonl = await readIfExists(jsonlPath);
  if (jsonl === undefined) {
    throw new BasaltConfigError(
      `No local dataset "${slug}" (local mode, no API key): looked for ${jsonPath} and ${jsonlPath}`,
    );
  }
  return readJsonLines(jsonl, slug, jsonlPath);
}

function readJsonLines(text: string, slug: string, path: string): Dataset {
  const rows: Dataset['rows'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw new BasaltConfigError(`${path}:${i + 1} is not JSON: ${(error as Error).message}`);
    }
    const row = readRow(data);
    if (typeof row === 'string') throw new BasaltConfigError(`${path}:${i + 1}: the row ${row}`);
    rows.push(row);
  }
  // Every row was checked above (with its line number): the dataset is made, not read again.
  return { slug, name: slug, columns: columnsOf(rows), rows };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BasaltConfigError(`Could not read ${path}: ${(error as Error).message}`);
  }
}
