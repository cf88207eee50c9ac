import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BasaltConfigError } from '../../src/core/errors.js';
import { compareRuns } from '../../src/experiments/compare.js';
import { renderComparisonHtml } from '../../src/experiments/render-html.js';
import { renderComparisonTable } from '../../src/experiments/render-table.js';
import type { RunFile } from '../../src/experiments/run-file.js';
import { makeRun } from '../helpers/run-files.js';

const baseline = () =>
  makeRun({ name: 'baseline', count: 4, latency: (i) => 10 * (i + 1), score: (i) => (i % 2 ? 1 : 0) });
const candidate = () =>
  makeRun({
    name: 'candidate',
    count: 4,
    start: 1, // items 1..4: item 0 only in the baseline, item 4 only here
    latency: (i) => 5 * (i + 1),
    fails: (i) => i === 2,
    score: () => 1,
    createdAt: '2026-12-01T07:00:00.000Z',
  });

describe('compareRuns', () => {
  it('lines items up by key across runs and lists the unmatched ones', () => {
    const comparison = compareRuns([baseline(), candidate()]);
    expect(comparison.items.map((it) => (it.item as { values: { question: string } }).values.question)).toEqual([
      'question 0',
      'question 1',
      'question 2',
      'question 3',
      'question 4',
    ]);
    expect(comparison.items.map((it) => it.results.map((r) => r?.status ?? null))).toEqual([
      ['succeeded', null],
      ['succeeded', 'succeeded'],
      ['succeeded', 'failed'],
      ['succeeded', 'succeeded'],
      [null, 'succeeded'],
    ]);
    expect(comparison.unmatched).toEqual([
      { key: comparison.items[0]!.key, missingFrom: [1] },
      { key: comparison.items[4]!.key, missingFrom: [0] },
    ]);
  });

  it('gives each run its figures and, after the first, the deltas against the first', () => {
    const [first, second] = compareRuns([baseline(), candidate()]).runs;
    expect(first!.delta).toBeNull();
    expect(first!.summary).toMatchObject({
      items: 4,
      succeeded: 4,
      failed: 0,
      latencyMs: { p50: 25, p95: 38.5, mean: 25 }, // interpolated between closest ranks
      scores: { exact: { mean: 0.5, count: 4 } },
    });
    expect(second!.summary).toMatchObject({ items: 4, succeeded: 3, failed: 1, latencyMs: { p50: 17.5, p95: 24.25 } });
    expect(second!.delta).toEqual({
      items: 0,
      failed: 1,
      cancelled: 0,
      latencyP50: -7.5,
      latencyP95: -14.25,
      tokensInput: second!.summary.tokens.input - first!.summary.tokens.input,
      tokensOutput: second!.summary.tokens.output - first!.summary.tokens.output,
      scores: { exact: 0.5 },
    });
  });

  it('aligns items by their id when they have one, whatever their values', () => {
    const a = makeRun({ name: 'a', count: 3, withIds: true });
    const b = makeRun({ name: 'b', count: 3, withIds: true });
    for (const result of b.results) (result.item as { values: unknown }).values = { question: 'changed' };
    const comparison = compareRuns([a, b]);
    expect(comparison.items.map((it) => it.key)).toEqual(['item-0', 'item-1', 'item-2']);
    expect(comparison.unmatched).toEqual([]);
  });

  it('merges the shards of one run (same experiment id and name) and recomputes its summary', () => {
    const shards = [0, 1, 2].map((index) =>
      makeRun({ name: 'sharded', count: 9, shard: { index, count: 3 }, sliceShard: true, fails: (i) => i === 4 }),
    );
    const whole = makeRun({ name: 'whole', count: 9, fails: (i) => i === 4 });
    const comparison = compareRuns([whole, shards[2]!, shards[0]!, shards[1]!]);
    expect(comparison.runs).toHaveLength(2);
    const merged = comparison.runs[1]!;
    expect(merged.runIds).toHaveLength(3);
    expect(merged.shards).toEqual({ count: 3, present: [0, 1, 2] });
    expect(merged.summary).toEqual(comparison.runs[0]!.summary);
    expect(comparison.unmatched).toEqual([]);
    expect(comparison.warnings).toEqual([]);
  });

  it('warns when a shard of a run is missing', () => {
    const shard = makeRun({ name: 'sharded', count: 6, shard: { index: 1, count: 3 }, sliceShard: true });
    expect(compareRuns([shard]).warnings).toEqual([
      'run "sharded" has 3 shards; shard(s) 0, 2 missing from the comparison',
    ]);
  });

  it('counts a file given twice once', () => {
    const run = baseline();
    expect(compareRuns([run, run]).runs).toHaveLength(1);
  });

  it('tells apart items with the same key within a run by their occurrence', () => {
    const run = makeRun({ name: 'dupes', count: 2 });
    run.results[1]!.key = run.results[0]!.key;
    const comparison = compareRuns([run, { ...run, runId: 'other', name: 'again' }]);
    const key = run.results[0]!.key;
    expect(comparison.items.map((it) => it.key)).toEqual([key, `${key}#2`]);
    expect(comparison.unmatched).toEqual([]);
  });

  it('compares one run with nothing: its summary, no delta', () => {
    const comparison = compareRuns([baseline()]);
    expect(comparison.runs).toHaveLength(1);
    expect(comparison.runs[0]!.delta).toBeNull();
    expect(comparison.unmatched).toEqual([]);
    expect(renderComparisonTable(comparison)).toMatch(/^One run, nothing to compare it with: its summary\./);
  });

  it('throws BasaltConfigError for what is not an array of run files', () => {
    expect(() => compareRuns('runs.json' as unknown as RunFile[])).toThrow(BasaltConfigError);
    expect(() => compareRuns([{ name: 'x' } as unknown as RunFile])).toThrow(/runs\[0\] is not a run file/);
  });
});

describe('renderComparisonTable', () => {
  it('prints one aligned row per run with deltas in parentheses, then the unmatched items', () => {
    expect(renderComparisonTable(compareRuns([baseline(), candidate()]))).toMatchInlineSnapshot(`
      "2 runs; deltas in parentheses are against run 1.

      run            items  ok  failed  cancelled       p50 ms        p95 ms  tokens in  tokens out           exact
      ------------  ------  --  ------  ---------  -----------  ------------  ---------  ----------  --------------
      1. baseline        4   4       0          0         25.0          38.5         43          26           0.500
      2. candidate  4 (±0)   3  1 (+1)     0 (±0)  17.5 (-7.5)  24.3 (-14.3)   32 (-11)     19 (-7)  1.000 (+0.500)

      Items: 5 keys, 3 in every run, 2 unmatched.
        h:b91146e420944277  missing from run 2
        h:1c5beeb21b9ae7a3  missing from run 1
      "
    `);
  });
});

describe('renderComparisonTable, hostile names', () => {
  it('prints control characters of names and keys as ?, so nothing reaches the terminal as an escape', () => {
    const run = makeRun({ name: 'red\u001b[31m\nline', count: 1, withIds: true });
    run.results[0]!.key = 'k\u001b]0;title\u0007';
    const other = makeRun({ name: 'b', count: 1, withIds: true });
    const table = renderComparisonTable(compareRuns([run, other]));
    expect(table).not.toContain('\u001b');
    expect(table).not.toContain('\u0007');
    expect(table).toContain('1. red?[31m?line');
    expect(table).toContain('  k?]0;title?  missing from run 2');
  });
});

describe('renderComparisonHtml', () => {
  const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';

  it('escapes user content: no tag of it reaches the page as markup', () => {
    const a = makeRun({ name: hostile, count: 2, output: () => hostile });
    const b = makeRun({ name: 'b', experimentId: hostile, count: 2, output: () => hostile });
    const html = renderComparisonHtml(compareRuns([a, b]));
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const data = /<script type="application\/json" id="basalt-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(data).not.toMatch(/[<>]/);
    const parsed = JSON.parse(data) as { runs: string[]; items: [string, string, string, [string, string][]][] };
    expect(parsed.runs[0]).toBe(hostile);
    expect(parsed.items[0]![3][1]![1]).toBe(hostile);
  });

  it('allows by hash only its own script, and loads nothing from the network', () => {
    const html = renderComparisonHtml(compareRuns([baseline(), candidate()]));
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]!).digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('draws the latency and token distributions as SVG bars, one colour per run', () => {
    const html = renderComparisonHtml(compareRuns([baseline(), candidate()]));
    const latency = /<figure id="latency-chart">([\s\S]*?)<\/figure>/.exec(html)![1]!;
    expect(latency).toMatch(/^<svg class="chart"/);
    expect(latency.match(/<rect class="bar"/g)).toHaveLength(8); // 4 + 4 latencies, all in distinct bins
    expect(latency).toContain('fill="#2563eb"');
    expect(latency).toContain('fill="#ea580c"');
  });

  it('says so when no item has token usage', () => {
    const run = makeRun({ name: 'all failed', count: 2, fails: () => true });
    expect(renderComparisonHtml(compareRuns([run]))).toContain('Tokens per item: no values recorded.');
  });
});
