import { createHash } from 'node:crypto';
import type { ComparedItem, Comparison } from './compare.js';
import { type FigureColumn, figureColumns } from './format.js';
import { escapeHtml, jsonForScript } from './html.js';
import { REPORT_CSS, REPORT_SCRIPT } from './report-assets.js';
import { histogramSvg, runColor } from './report-charts.js';
import type { RunResult } from './run-file.js';

/** Options of `renderComparisonHtml`. */
export interface ComparisonHtmlOptions {
  /** The page's title; default "Experiment runs compared". */
  title?: string;
  /** When the report was made, shown under the title; default now. */
  generatedAt?: Date;
}

const MAX_UNMATCHED_LISTED = 200;

/** A value as the report shows it: a string as is, anything else as indented JSON. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function cell(result: RunResult | null): unknown[] | null {
  if (result === null) return null;
  const error = result.error ? `${result.error.name}: ${result.error.message}` : null;
  return [
    result.status[0],
    result.status === 'succeeded' || result.output != null ? text(result.output) : '',
    error,
    Number.isFinite(result.durationMs) ? result.durationMs : null,
    result.usage ? result.usage.inputTokens : null,
    result.usage ? result.usage.outputTokens : null,
    result.scores && Object.keys(result.scores).length > 0 ? result.scores : null,
    result.scoreErrors && Object.keys(result.scoreErrors).length > 0 ? result.scoreErrors : null,
  ];
}

function row(item: ComparedItem): unknown[] {
  const record = typeof item.item === 'object' && item.item !== null ? (item.item as Record<string, unknown>) : null;
  const input = record && 'values' in record ? record.values : item.item;
  const ideal = record && record.idealOutput !== undefined ? text(record.idealOutput) : null;
  return [item.key, text(input), ideal, item.results.map(cell)];
}

function summaryTable(comparison: Comparison, columns: FigureColumn[]): string {
  const head = `<tr><th>run</th>${columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')}</tr>`;
  const rows = comparison.runs.map((run, i) => {
    const swatch = swatchOf(i);
    const cells = columns.map((c) => {
      const { value, delta } = c.cells[i]!;
      return `<td class="num">${escapeHtml(value)}${delta === null ? '' : `<span class="delta">(${escapeHtml(delta)})</span>`}</td>`;
    });
    const shards =
      run.shards.count > 1
        ? ` <span class="muted">(${run.shards.present.length}/${run.shards.count} shards)</span>`
        : '';
    return `<tr class="run"><td>${swatch}${i + 1}. ${escapeHtml(run.label)}${shards}</td>${cells.join('')}</tr>`;
  });
  return `<table id="summary"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function charts(comparison: Comparison): string {
  const latency = comparison.runs.map((run, r) => ({
    label: run.label,
    values: comparison.items.flatMap((it) => {
      const res = it.results[r];
      return res && res.status !== 'cancelled' && Number.isFinite(res.durationMs) ? [res.durationMs] : [];
    }),
  }));
  const tokens = comparison.runs.map((run, r) => ({
    label: run.label,
    values: comparison.items.flatMap((it) => {
      const usage = it.results[r]?.usage;
      return usage ? [(usage.inputTokens || 0) + (usage.outputTokens || 0)] : [];
    }),
  }));
  const legend = comparison.runs.map((run, i) => `<span>${swatchOf(i)}${escapeHtml(run.label)}</span>`).join('');
  return (
    `<div class="legend">${legend}</div><div class="charts">` +
    `<figure id="latency-chart">${histogramSvg('Latency per item', 'ms', latency)}<figcaption>Latency per item (ms)</figcaption></figure>` +
    `<figure id="tokens-chart">${histogramSvg('Tokens per item', 'tokens (in + out)', tokens)}<figcaption>Tokens per item (in + out)</figcaption></figure>` +
    '</div>'
  );
}

function unmatchedList(comparison: Comparison): string {
  if (comparison.runs.length < 2) return '';
  if (comparison.unmatched.length === 0) return '<p class="muted" id="unmatched">Every item is in every run.</p>';
  const items = comparison.unmatched.slice(0, MAX_UNMATCHED_LISTED).map(({ key, missingFrom }) => {
    const runs = missingFrom.map((i) => `${i + 1}`).join(', ');
    return `<li><code>${escapeHtml(key)}</code>: missing from run ${runs}</li>`;
  });
  const more =
    comparison.unmatched.length > MAX_UNMATCHED_LISTED
      ? `<p class="muted">… and ${comparison.unmatched.length - MAX_UNMATCHED_LISTED} more: choose "unmatched" in the items below.</p>`
      : '';
  return `<ul id="unmatched">${items.join('')}</ul>${more}`;
}

/**
 * The comparison as one self-contained HTML page: the summary table, latency and token histograms
 * (inline SVG), the unmatched items, and every item side by side across the runs (paged by an
 * inline script). No network: a Content-Security-Policy allows only the page's own style and its
 * one script (by hash). All user content is escaped, or written by the script as text.
 *
 * @example
 * ```ts
 * await writeFile('report.html', renderComparisonHtml(compareRuns(runs)));
 * ```
 */
export function renderComparisonHtml(comparison: Comparison, options: ComparisonHtmlOptions = {}): string {
  const title = options.title ?? 'Experiment runs compared';
  const when = (options.generatedAt ?? new Date()).toISOString();
  const columns = figureColumns(comparison.runs, comparison.scoreNames);
  const scriptHash = createHash('sha256').update(REPORT_SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:`;
  const runHeads = comparison.runs
    .map((run, i) => `<th>${swatchOf(i)}${i + 1}. ${escapeHtml(run.label)}</th>`)
    .join('');
  const warnings = comparison.warnings.map((w) => `<p class="warning">${escapeHtml(w)}</p>`).join('');
  const data = { runs: comparison.runs.map((run) => run.label), items: comparison.items.map(row) };
  const keyWidth = '9em';
  const inputWidth = `${Math.max(14, 30 - comparison.runs.length * 3)}%`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${comparison.runs.length} run(s), ${comparison.items.length} item(s); generated ${escapeHtml(when)} by basalt-observe${comparison.runs.length > 1 ? '; deltas against run 1' : ''}.</p>
${warnings}
<h2>Summary</h2>
${summaryTable(comparison, columns)}
<h2>Distributions</h2>
${charts(comparison)}
<h2>Unmatched items</h2>
${unmatchedList(comparison)}
<h2>Items</h2>
<div class="controls">
<label>Show <select id="filter"><option value="all">all items</option><option value="differ">outputs that differ</option><option value="failed">failed or cancelled</option><option value="unmatched">unmatched</option></select></label>
<label>Search <input id="query" type="search" placeholder="key, input, output"></label>
<label>Per page <select id="page-size"><option>50</option><option selected>100</option><option>500</option></select></label>
<button id="prev" type="button">← Previous</button><button id="next" type="button">Next →</button>
<span id="items-info" class="muted"></span>
</div>
<table id="items"><colgroup><col style="width:${keyWidth}"><col style="width:${inputWidth}"></colgroup>
<thead><tr><th>key</th><th>input</th>${runHeads}</tr></thead><tbody id="items-body"></tbody></table>
<script type="application/json" id="basalt-data">${jsonForScript(data)}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}

/** The small square in the `index`-th run's colour, next to its name. */
function swatchOf(index: number): string {
  return `<span class="swatch" style="background:${runColor(index)}"></span>`;
}
