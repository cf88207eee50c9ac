import type { Comparison } from './compare.js';
import { cellText, figureColumns } from './format.js';

const MAX_LABEL = 40;
const MAX_UNMATCHED_LISTED = 10;

/**
 * Text from a run file made safe for a terminal and cut to `width`: control characters (escape
 * sequences, newlines) become `?`, so a run name cannot move the cursor or recolour the terminal.
 */
function clip(text: string, width: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return safe.length <= width ? safe : `${safe.slice(0, width - 1)}…`;
}

/**
 * The comparison as plain text for a terminal: one row per run with its figures and, from the
 * second run on, the delta against the first in parentheses; then how the items lined up.
 *
 * @example
 * ```ts
 * console.log(renderComparisonTable(compareRuns(runs)));
 * ```
 */
export function renderComparisonTable(comparison: Comparison): string {
  const { runs } = comparison;
  if (runs.length === 0) return 'No runs to compare.\n';
  const columns = figureColumns(runs, comparison.scoreNames);
  const header = ['run', ...columns.map((c) => c.title)];
  const rows = runs.map((run, i) => [
    clip(`${i + 1}. ${run.label}`, MAX_LABEL),
    ...columns.map((c) => cellText(c.cells[i]!)),
  ]);
  const widths = header.map((title, col) => Math.max(title.length, ...rows.map((row) => row[col]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd();
  const lines: string[] = [];
  lines.push(
    runs.length === 1
      ? 'One run, nothing to compare it with: its summary.'
      : `${runs.length} runs; deltas in parentheses are against run 1.`,
  );
  lines.push('', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '');
  const everywhere = comparison.items.length - comparison.unmatched.length;
  if (runs.length > 1) {
    lines.push(
      `Items: ${comparison.items.length} keys, ${everywhere} in every run, ${comparison.unmatched.length} unmatched.`,
    );
    for (const { key, missingFrom } of comparison.unmatched.slice(0, MAX_UNMATCHED_LISTED)) {
      lines.push(`  ${clip(key, 60)}  missing from run ${missingFrom.map((i) => i + 1).join(', ')}`);
    }
    if (comparison.unmatched.length > MAX_UNMATCHED_LISTED) {
      lines.push(`  … and ${comparison.unmatched.length - MAX_UNMATCHED_LISTED} more (all in the HTML report)`);
    }
  }
  for (const warning of comparison.warnings) lines.push(`Warning: ${clip(warning, 200)}`);
  return `${lines.join('\n')}\n`;
}
