import { isRecord } from './values.js';

/** One row of a dataset: the task's input values, and optionally what a good output is. */
export interface DatasetRow {
  /** The row's input, by column. */
  values: Record<string, unknown>;
  /** The expected output, for scorers and evaluators. */
  idealOutput?: unknown;
  metadata?: Record<string, unknown>;
  /** A stable id, when the dataset has one: it aligns the row across experiment runs. */
  id?: string;
}

/** A dataset of Basalt (SPEC §11), or a local one read from `.basalt/datasets/`. */
export interface Dataset {
  slug: string;
  name: string;
  columns: string[];
  rows: DatasetRow[];
}

/**
 * Reads a dataset from untyped data (an API response or a local file): `{ dataset: {...} }` or the
 * dataset itself. `slug` and `name` default to `fallbackSlug`, `columns` to the keys of the rows'
 * values. Returns a problem description instead of throwing, so each caller picks its error.
 */
export function readDataset(data: unknown, fallbackSlug: string): Dataset | string {
  const raw = isRecord(data) && isRecord(data.dataset) ? data.dataset : data;
  if (!isRecord(raw)) return 'not an object';
  if (!Array.isArray(raw.rows)) return '"rows" is not an array';
  const rows: DatasetRow[] = [];
  for (let i = 0; i < raw.rows.length; i++) {
    const row = readRow(raw.rows[i]);
    if (typeof row === 'string') return `rows[${i}] ${row}`;
    rows.push(row);
  }
  const slug = raw.slug ?? fallbackSlug;
  const name = raw.name ?? slug;
  if (typeof slug !== 'string' || typeof name !== 'string') return '"slug" or "name" is not a string';
  let columns = raw.columns;
  if (columns === undefined) columns = columnsOf(rows);
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) {
    return '"columns" is not an array of strings';
  }
  return { slug, name, columns, rows };
}

/** The columns of rows that name none: every key of their values, in first-seen order. */
export function columnsOf(rows: readonly DatasetRow[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.values)))];
}

/** One row: `values` must be an object; `metadata`, when present, too. */
export function readRow(raw: unknown): DatasetRow | string {
  if (!isRecord(raw)) return 'is not an object';
  if (!isRecord(raw.values)) return 'has no "values" object';
  const row: DatasetRow = { values: raw.values };
  if (raw.idealOutput !== undefined && raw.idealOutput !== null) row.idealOutput = raw.idealOutput;
  if (raw.metadata !== undefined && raw.metadata !== null) {
    if (!isRecord(raw.metadata)) return 'has a "metadata" that is not an object';
    row.metadata = raw.metadata;
  }
  if (typeof raw.id === 'string' || typeof raw.id === 'number') row.id = String(raw.id);
  return row;
}
