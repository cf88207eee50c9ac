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

/** A duration in milliseconds: one decimal, `-` when unknown. */
export function formatMs(ms: number | null | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? ms.toFixed(1) : '-';
}

export function formatScore(score: number | null | undefined): string {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(3) : '-';
}

/** A delta with its sign: `+2.1`, `-0.150`, `±0`; `null` stays `null`. */
function signed(delta: number | null, format: (n: number) => string): string | null {
  if (delta === null) return null;
  if (delta === 0) return '±0';
  return delta > 0 ? `+${format(delta)}` : `-${format(-delta)}`;
}

const integer = (n: number) => String(Math.round(n));

/** The summary columns: items, succeeded, failed, cancelled, p50, p95, mean, tokens in/out, each score. */
export function figureColumns(runs: readonly ComparedRun[], scoreNames: readonly string[]): FigureColumn[] {
  const column = (
    title: string,
    value: (run: ComparedRun) => string,
    delta: (run: ComparedRun) => string | null,
  ): FigureColumn => ({
    title,
    cells: runs.map((run) => ({ value: value(run), delta: run.delta ? delta(run) : null })),
  });
  const ms = (n: number) => n.toFixed(1);
  const score = (n: number) => n.toFixed(3);
  const columns = [
    column(
      'items',
      (r) => integer(r.summary.items),
      (r) => signed(r.delta!.items, integer),
    ),
    column(
      'ok',
      (r) => integer(r.summary.succeeded),
      () => null,
    ),
    column(
      'failed',
      (r) => integer(r.summary.failed),
      (r) => signed(r.delta!.failed, integer),
    ),
    column(
      'cancelled',
      (r) => integer(r.summary.cancelled),
      (r) => signed(r.delta!.cancelled, integer),
    ),
    column(
      'p50 ms',
      (r) => formatMs(r.summary.latencyMs.p50),
      (r) => signed(r.delta!.latencyP50, ms),
    ),
    column(
      'p95 ms',
      (r) => formatMs(r.summary.latencyMs.p95),
      (r) => signed(r.delta!.latencyP95, ms),
    ),
    column(
      'tokens in',
      (r) => integer(r.summary.tokens.input),
      (r) => signed(r.delta!.tokensInput, integer),
    ),
    column(
      'tokens out',
      (r) => integer(r.summary.tokens.output),
      (r) => signed(r.delta!.tokensOutput, integer),
    ),
  ];
  for (const name of scoreNames) {
    columns.push(
      column(
        name,
        (r) => formatScore(r.summary.scores[name]?.mean),
        (r) => signed(r.delta!.scores[name] ?? null, score),
      ),
    );
  }
  return columns;
}

/** A cell as one string: `12.3 (+2.1)`. */
export function cellText(cell: FigureCell): string {
  return cell.delta === null ? cell.value : `${cell.value} (${cell.delta})`;
}
