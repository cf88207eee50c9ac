import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/cli.js';
import { makeRun, writeRun } from '../helpers/run-files.js';
import { tempDir } from '../helpers/temp.js';

let dir = '';
let runs = '';

beforeEach(() => {
  dir = tempDir('basalt-compare-');
  runs = join(dir, '.basalt', 'experiments');
});

/** Runs `basalt-observe compare <argv>` in the temp folder. */
const cli = (argv: string[]) => basaltObserve(['compare', ...argv]);

const basaltObserve = (argv: string[]) => runBin(argv, dir);

/** Three runs an hour apart (`v1` oldest), the last one sharded in two files. */
function threeRuns() {
  writeRun(runs, makeRun({ name: 'v1', count: 5, createdAt: '2026-12-01T05:00:00.000Z' }));
  writeRun(runs, makeRun({ name: 'v2', experimentId: 'exp-2', count: 5, createdAt: '2026-12-01T06:00:00.000Z' }));
  for (const index of [0, 1]) {
    const shard = { index, count: 2 };
    writeRun(runs, makeRun({ name: 'v3', count: 5, createdAt: '2026-12-01T07:00:00.000Z', shard, sliceShard: true }));
  }
}

describe('basalt-observe compare', () => {
  it('compares the two latest runs of .basalt/experiments, prints the table and writes the report there', async () => {
    threeRuns();
    const { code, out, err } = await cli([]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^Runs: \.basalt\/experiments\/\S+-v2-shard0\.json, \.basalt\/experiments\/\S+-v3-shard0\.json, /,
    );
    expect(out).toContain('\n1. v2 ');
    expect(out).toContain('\n2. v3 ');
    expect(out).not.toContain('1. v1');
    const report = /\nReport: (\.basalt\/experiments\/compare-\d{8}-\d{6}\.html)\n$/.exec(out)?.[1];
    expect(report).toBeDefined();
    const html = readFileSync(join(dir, report!), 'utf8');
    expect(html).toContain('<h1>Experiment runs compared</h1>');
    expect(html).toContain('2. v3 <span class="muted">(2/2 shards)</span>');
  });

  it('takes run files, and experiment ids, run ids or names of runs in --dir, in the order given', async () => {
    threeRuns();
    const v1 = readdirSync(runs).find((f) => f.includes('-v1-'))!;
    const { code, out } = await cli(['v3', join('.basalt/experiments', v1), 'exp-2', '--no-report']);
    expect(code).toBe(0);
    expect(out).toMatch(/\n1\. v3 .*\n2\. v1 .*\n3\. v2 /);
    expect(out).not.toContain('Report:');
  });

  it('writes the report where --out says', async () => {
    threeRuns();
    const { code, out } = await cli(['--last', '3', '--out', 'reports/cmp.html']);
    expect(code).toBe(0);
    expect(out).toContain('\nReport: reports/cmp.html\n');
    expect(readFileSync(join(dir, 'reports/cmp.html'), 'utf8')).toContain('3. v3');
  });

  it('gives the summary of a single run', async () => {
    writeRun(runs, makeRun({ name: 'only', count: 3 }));
    const { code, out } = await cli([]);
    expect(code).toBe(0);
    expect(out).toContain('One run, nothing to compare it with: its summary.');
    expect(out).toContain('1. only ');
  });

  it('says where it looked when there is no run', async () => {
    const { code, out, err } = await cli([]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(
      `basalt-observe compare: no experiment runs in ${runs} (the folder does not exist).\n` +
        'basalt.experiments.run saves each run there. Pass run files, or --dir DIR to look elsewhere.\n',
    );
  });

  it('skips, naming it, a file of the folder that is not a run', async () => {
    writeRun(runs, makeRun({ name: 'a', count: 2 }));
    writeFileSync(join(runs, 'notes.json'), '{"todo":1}');
    const { code, err } = await cli(['--no-report']);
    expect(code).toBe(0);
    expect(err).toContain('skipped .basalt/experiments/notes.json: ');
  });

  it('fails naming the file given that is not a run file, or of a newer version', async () => {
    mkdirSync(runs, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"app"}');
    const newer = makeRun({ name: 'future', count: 1 });
    newer.version = 2;
    const future = writeRun(dir, newer, 'future.json');
    let result = await cli(['package.json']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `basalt-observe compare: ${join(dir, 'package.json')} is not a basalt-observe run file: "format" is not "basalt-observe.experiment-run"\n`,
    );
    result = await cli([future]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `${future} is a run file of format version 2; this basalt-observe reads up to version 1`,
    );
    result = await cli(['nothing-here']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      '"nothing-here" is neither a file nor the experiment id, run id or run name of a run in',
    );
  });

  it('is listed by basalt-observe --help and explains its options', async () => {
    const { code, out } = await basaltObserve(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^ {2}compare {2}compare experiment runs: a table here, an HTML report with every item$/m);
    const help = await cli(['--help']);
    expect(help.out).toMatch(/^Usage: basalt-observe compare \[RUN\.\.\.\] \[--dir DIR\]/);
  });

  it('rejects a --last that is not a positive integer', async () => {
    const { code, err } = await cli(['--last', '0']);
    expect(code).toBe(1);
    expect(err).toBe('basalt-observe compare: --last must be a positive integer; got "0"\n');
  });
});

describe('basalt-observe compare, the process', () => {
  const root = join(import.meta.dirname, '../..');
  const bin = join(root, 'src/cli/main.ts');
  // tsx from the repository, as the process runs in a temp folder.
  const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', tsx, bin, 'compare', ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('exits 0 with the table and the report on real run files', () => {
    threeRuns();
    const result = run([]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('2 runs; deltas in parentheses are against run 1.');
    const report = /Report: (\S+)/.exec(result.stdout)![1]!;
    expect(existsSync(join(dir, report))).toBe(true);
  });

  it('exits 1 with one line and no stack trace for a file that is not ours', () => {
    writeFileSync(join(dir, 'other.json'), '[1, 2]');
    const result = run(['other.json']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `basalt-observe compare: ${join(dir, 'other.json')} is not a basalt-observe run file: "format" is not "basalt-observe.experiment-run"\n`,
    );
  });
});
