import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WireType } from './otlp-decode.js';

/**
 * docs/wire-format.md read as data, so the golden test (test/core/wire-format.test.ts) compares
 * what goes over the wire with the page itself: no key or type changes without the page.
 */

export const DOC_PATH = fileURLToPath(new URL('../../docs/wire-format.md', import.meta.url));

/** The values of the Where column. */
export const CATEGORIES = [
  'every span',
  'root',
  'child',
  'generation',
  'embeddings',
  'tool',
  'AI SDK telemetry span',
  'exception event',
  'agent_action event',
  'agent_finish event',
  'langgraph.bubble_up event',
  'resource',
  'experiments request header',
  'experiments request body',
  'OTLP/HTTP header',
  'OTLP/gRPC metadata',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** The values of the Type column, and the wire types each accepts. */
const TYPES: Record<string, readonly WireType[]> = {
  string: ['string'],
  bool: ['bool'],
  int: ['int'],
  double: ['double'],
  number: ['int', 'double'],
  primitive: ['string', 'bool', 'int', 'double'],
  'string[]': ['string[]'],
  JSON: ['string'],
  'text or JSON': ['string'],
};

export interface WireRow {
  /** As written, without backticks: `basalt.meta.<key>`. */
  key: string;
  where: Category[];
  /** `When` is `always`. */
  always: boolean;
  /** The Type column without ` (fixed)`. */
  type: string;
  /** Type ends with ` (fixed)`: the example is the only value sent. */
  fixed: boolean;
  /** Without backticks; `undefined` for `—`. */
  example: string | undefined;
  sdks: string;
  /** Matches the keys the row stands for; `undefined` for a row that documents keys not ours (`<your attributes>`). */
  pattern: RegExp | undefined;
  line: number;
}

export interface WireDoc {
  rows: WireRow[];
  /** `Span` → `OTel kind` of the names-and-kinds table. */
  kinds: Map<string, string>;
  /** What is wrong with the page itself: unknown categories or types, examples that do not fit. */
  problems: string[];
}

export function readWireDoc(path = DOC_PATH): WireDoc {
  const lines = readFileSync(path, 'utf8').split('\n');
  const problems: string[] = [];
  const rows = tableAfter(lines, '## Every key we send').map(({ cells, line }) => toRow(cells, line, problems));
  const kinds = new Map(
    tableAfter(lines, '## Span names and kinds').map(({ cells }) => [cells[0] ?? '', cells[1] ?? '']),
  );
  const seen = new Set<string>();
  for (const row of rows) {
    for (const where of row.where) {
      const id = `${row.key} @ ${where}`;
      if (seen.has(id)) problems.push(`line ${row.line}: ${id} is listed twice`);
      seen.add(id);
    }
  }
  return { rows, kinds, problems };
}

/** The rows of the first table after `heading`, cells trimmed, backticks kept. */
function tableAfter(lines: string[], heading: string): Array<{ cells: string[]; line: number }> {
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs/wire-format.md has no "${heading}"`);
  const out: Array<{ cells: string[]; line: number }> = [];
  let i = start + 1;
  while (i < lines.length && !lines[i]?.startsWith('|')) i++;
  for (i += 2; i < lines.length && lines[i]?.startsWith('|'); i++) {
    out.push({
      cells: (lines[i] ?? '')
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
      line: i + 1,
    });
  }
  return out;
}

function unquote(cell: string): string {
  return cell.replace(/^`(.*)`$/, '$1');
}

function toRow(cells: string[], line: number, problems: string[]): WireRow {
  const [keyCell = '', whereCell = '', when = '', typeCell = '', exampleCell = '', sdks = ''] = cells;
  const type = typeCell.replace(/ \(fixed\)$/, '');
  const key = unquote(keyCell);
  const docOnly = /^<[^>]+>$/.test(key);
  const where = whereCell.split(',').map((w) => w.trim());
  for (const w of where) {
    if (!(CATEGORIES as readonly string[]).includes(w)) problems.push(`line ${line}: unknown Where "${w}"`);
  }
  const example = exampleCell === '—' ? undefined : unquote(exampleCell);
  const row: WireRow = {
    key,
    where: where as Category[],
    always: when === 'always',
    type,
    fixed: typeCell !== type,
    example,
    sdks,
    pattern: docOnly ? undefined : keyPattern(key),
    line,
  };
  if (!docOnly) {
    if (!(type in TYPES)) problems.push(`line ${line}: ${key}: unknown type "${type}"`);
    if (!/^(Python|JS|both)\b|^neither: \S/.test(sdks)) {
      problems.push(`line ${line}: ${key}: Official SDKs must be Python, JS, both or "neither: <why we send it>"`);
    }
    const misfit = example === undefined ? 'no example' : exampleMisfit(type, example);
    if (misfit) problems.push(`line ${line}: ${key}: example ${JSON.stringify(example)}: ${misfit}`);
  }
  return row;
}

function keyPattern(key: string): RegExp {
  const parts = key.split(/<[^>]+>/).map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}

function parsed(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Why the doc's example does not fit its own type, or `undefined`. */
function exampleMisfit(type: string, example: string): string | undefined {
  const json = parsed(example);
  switch (type) {
    case 'bool':
      return example === 'true' || example === 'false' ? undefined : 'not a bool';
    case 'int':
      return /^-?\d+$/.test(example) ? undefined : 'not an int';
    case 'double':
    case 'number':
      return typeof json?.value === 'number' ? undefined : 'not a number';
    case 'primitive':
      return json === undefined || ['string', 'number', 'boolean'].includes(typeof json.value)
        ? undefined
        : 'not a primitive';
    case 'string[]':
      return Array.isArray(json?.value) && json.value.every((v) => typeof v === 'string')
        ? undefined
        : 'not a string[]';
    case 'JSON':
      return json ? undefined : 'not JSON';
    default:
      return undefined;
  }
}

/** The wire type of a header or JSON body value (always a string for headers). */
export function plainWireType(value: unknown): WireType {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (Array.isArray(value)) return value.every((v) => typeof v === 'string') ? 'string[]' : 'mixed[]';
  return typeof value;
}

/**
 * Why `value` (sent as `wire`) does not fit `row`, or `undefined`. A `(fixed)` row compares the
 * value with the example; a `JSON` row with an example compares shapes: the same keys, and the same
 * kinds of values, at every level.
 */
export function valueMisfit(row: WireRow, wire: WireType, value: unknown): string | undefined {
  const accepted = TYPES[row.type] ?? [];
  if (!accepted.includes(wire)) return `sent as ${wire}, the row says ${row.type}`;
  if (row.fixed && String(value) !== row.example)
    return `sent ${JSON.stringify(value)}, the row says always ${row.example}`;
  if (row.type !== 'JSON') return undefined;
  const sent = parsed(String(value));
  if (!sent) return 'not JSON';
  const example = row.example === undefined ? undefined : parsed(row.example);
  if (!example) return undefined;
  const [got, want] = [JSON.stringify(shapeOf(sent.value)), JSON.stringify(shapeOf(example.value))];
  return got === want ? undefined : `shape ${got}, the example's is ${want}`;
}

/** A value's shape: objects by sorted keys, arrays by the set of their items' shapes, else the type. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return { items: [...new Set(value.map((v) => JSON.stringify(shapeOf(v))))].sort() };
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, shapeOf(record[k])]),
    );
  }
  return value === null ? 'null' : typeof value;
}

/** One thing sent: a key, how it was encoded, its value. */
export interface Sent {
  key: string;
  wire: WireType;
  value: unknown;
}

/**
 * What is wrong with `sent` (one span, the resource, one request) against the rows of its
 * `categories`: a key no row lists, a value that does not fit its row, a documented `always` key
 * missing, and a documented key missing that is not in `notSent` (the keys the scenario has no
 * reason to send), or present although it is.
 */
export function compareWithDoc(
  doc: WireDoc,
  label: string,
  categories: readonly Category[],
  sent: Sent[],
  notSent: readonly string[] = [],
): string[] {
  const rows = doc.rows.filter((r) => r.pattern && r.where.some((w) => categories.includes(w)));
  const problems: string[] = [];
  for (const { key, wire, value } of sent) {
    const matching = rows.filter((r) => r.pattern?.test(key));
    if (matching.length === 0) {
      problems.push(`${label}: sends ${key}, which docs/wire-format.md does not list for ${categories.join(', ')}`);
      continue;
    }
    const misfits = matching.map((r) => valueMisfit(r, wire, value));
    if (misfits.every((m) => m !== undefined)) problems.push(`${label}: ${key}: ${misfits.join('; ')}`);
  }
  for (const row of rows) {
    const present = sent.some((s) => row.pattern?.test(s.key));
    const excused = notSent.includes(row.key);
    if (!present && row.always)
      problems.push(`${label}: lacks ${row.key}, which docs/wire-format.md says is always sent`);
    else if (!present && !excused) problems.push(`${label}: lacks ${row.key} (docs/wire-format.md line ${row.line})`);
    else if (present && excused) problems.push(`${label}: sends ${row.key}, listed as not sent by this scenario`);
  }
  for (const key of notSent) {
    if (!rows.some((r) => r.key === key))
      problems.push(`${label}: ${key} is listed as not sent but not documented here`);
  }
  return problems;
}
