import type { ComparedRun } from './compare.js';

/**
 * The figures of a comparison as text, shared by the terminal table and the HTML report so both
 * say the same thing: one column per figure, the delta against the first run in parentheses.
 */

/** A figure of a run: its value and, for every run but the first, its delta. */
export interface FigureCell {
  value: string;
  delta: string | null;
}

export interface FigureColumn {
  title: string;
  cells: FigureCell[];
}

/** `n` with `digits` decimals (rounded), `-` when unknown. */
function fixed(n: number | null | undefined, digits: number): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** A delta with its sign: `+2.1`, `-0.150`, `±0`; `null` stays `null`. */
function signed(delta: number | null, digits: number): string | null {
  if (delta === null) return null;
  if (delta === 0) return '±0';
  return delta > 0 ? `+${fixed(delta, digits)}` : `-${fixed(-delta, digits)}`;
}

type Summary = ComparedRun['summary'];
type Delta = NonNullable<ComparedRun['delta']>;

/** A summary figure: its title, its value, its delta (none for `ok`), and its decimals. */
type Figure = [
  title: string,
  value: (s: Summary) => number | null | undefined,
  delta: ((d: Delta) => number | null) | null,
  digits: number,
];

const FIGURES: readonly Figure[] = [
  ['items', (s) => s.items, (d) => d.items, 0],
  ['ok', (s) => s.succeeded, null, 0],
  ['failed', (s) => s.failed, (d) => d.failed, 0],
  ['cancelled', (s) => s.cancelled, (d) => d.cancelled, 0],
  ['p50 ms', (s) => s.latencyMs.p50, (d) => d.latencyP50, 1],
  ['p95 ms', (s) => s.latencyMs.p95, (d) => d.latencyP95, 1],
  ['tokens in', (s) => s.tokens.input, (d) => d.tokensInput, 0],
  ['tokens out', (s) => s.tokens.output, (d) => d.tokensOutput, 0],
];

/** The summary columns: items, succeeded, failed, cancelled, p50, p95, tokens in/out, each score. */
export function figureColumns(runs: readonly ComparedRun[], scoreNames: readonly string[]): FigureColumn[] {
  const scores = scoreNames.map(
    (name): Figure => [name, (s) => s.scores[name]?.mean, (d) => d.scores[name] ?? null, 3],
  );
  return [...FIGURES, ...scores].map(([title, value, delta, digits]) => ({
    title,
    cells: runs.map((run) => ({
      value: fixed(value(run.summary), digits),
      delta: run.delta && delta ? signed(delta(run.delta), digits) : null,
    })),
  }));
}

/** A cell as one string: `12.3 (+2.1)`. */
export function cellText(cell: FigureCell): string {
  return cell.delta === null ? cell.value : `${cell.value} (${cell.delta})`;
}
