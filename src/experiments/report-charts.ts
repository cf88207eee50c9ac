import { escapeHtml } from './html.js';

/**
 * Histograms as inline SVG, drawn at report time: the report stays self-contained (no chart library,
 * no network) and the charts are there before any script runs. One group of bars per bin, one bar
 * per run, bins shared by every run so the bars compare.
 */

const RUN_COLORS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea', '#dc2626', '#0891b2', '#ca8a04', '#db2777'];

/** The colour of the `index`-th run (the palette repeats past eight runs). */
export function runColor(index: number): string {
  return RUN_COLORS[index % RUN_COLORS.length] as string;
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 36 };
const BINS = 20;

export interface Series {
  label: string;
  values: number[];
}

function tick(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) >= 1000) return `${Math.round(n / 100) / 10}k`;
  return Math.abs(n) >= 10 ? String(Math.round(n)) : n.toFixed(1);
}

/**
 * A histogram of each series' values over shared bins, as an `<svg>` element; a short sentence
 * instead when no series has a value.
 */
export function histogramSvg(title: string, unit: string, series: readonly Series[]): string {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (const v of s.values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) return `<p class="empty">${escapeHtml(title)}: no values recorded.</p>`;
  const bins = max === min ? 1 : BINS;
  const width = (max - min) / bins || 1;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s.values) c[Math.min(bins - 1, Math.floor((v - min) / width))]!++;
    return c;
  });
  const top = Math.max(1, ...counts.flat());
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const groupW = plotW / bins;
  const barW = Math.max(1, (groupW - 2) / Math.max(1, series.length));
  const parts: string[] = [];
  for (let b = 0; b < bins; b++) {
    const from = min + b * width;
    const to = max === min ? max : from + width;
    for (let r = 0; r < series.length; r++) {
      const count = counts[r]![b]!;
      if (count === 0) continue;
      const h = (count / top) * plotH;
      const x = PAD.left + b * groupW + 1 + r * barW;
      const y = PAD.top + plotH - h;
      const tip = `${series[r]!.label}: ${count} item(s) in ${tick(from)}–${tick(to)} ${unit}`;
      parts.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${runColor(r)}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
  }
  const axisY = PAD.top + plotH;
  const axes = [
    `<line x1="${PAD.left}" y1="${axisY}" x2="${WIDTH - PAD.right}" y2="${axisY}" stroke="#888"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${axisY}" stroke="#888"/>`,
    `<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${top}</text>`,
    `<text x="${PAD.left - 6}" y="${axisY}" text-anchor="end">0</text>`,
    `<text x="${PAD.left}" y="${axisY + 14}" text-anchor="start">${tick(min)}</text>`,
    `<text x="${WIDTH - PAD.right}" y="${axisY + 14}" text-anchor="end">${tick(max)}</text>`,
    `<text x="${PAD.left + plotW / 2}" y="${axisY + 30}" text-anchor="middle">${escapeHtml(unit)}</text>`,
  ];
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title>${axes.join('')}${parts.join('')}</svg>`
  );
}
