import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compareRuns } from '../experiments/compare.js';
import { type LoadedRun, latestRuns, listRuns, type RunListing, readRuns } from '../experiments/load.js';
import { renderComparisonHtml } from '../experiments/render-html.js';
import { renderComparisonTable } from '../experiments/render-table.js';
import { lastOption } from './args.js';
import type { CliCommand, CliIo } from './run.js';

const DEFAULT_DIR = '.basalt/experiments';

const HELP = `Usage: basalt-observe compare [RUN...] [--dir DIR] [--last N] [--out FILE] [--no-report]

Compares experiment runs (the files basalt.experiments.run saves): prints a table of
each run's items, failures, latency p50/p95, tokens and mean scores, with deltas against
the first run, and writes a self-contained HTML report with every item side by side.

RUN is a run file, or an experiment id, run id or run name of a run in DIR. Without
RUN: the latest runs in DIR. Shards of one run (same experiment id and name) count as
one run.

Options:
  --dir DIR      where the runs are (default ${DEFAULT_DIR})
  --last N       without RUN, how many of the latest runs (default 2)
  --out FILE     the HTML report (default DIR/compare-<time>.html, or next to the
                 first run file given)
  --no-report    print the table only
  -h, --help     this help
`;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The runs the arguments name, in their order: files as given, else runs in `dir` by id or name. */
async function resolveRuns(names: readonly string[], dir: string, io: CliIo): Promise<LoadedRun[]> {
  const chosen: LoadedRun[] = [];
  let listing: RunListing | undefined;
  for (const name of names) {
    const path = resolve(io.cwd, name);
    if (await isFile(path)) {
      const [run] = await readRuns([path]);
      chosen.push({ path, run: run! });
      continue;
    }
    listing ??= await listRuns(dir);
    const matches = listing.runs.filter(
      ({ run }) => run.experiment.id === name || run.runId === name || run.name === name,
    );
    if (matches.length === 0) {
      throw new Error(
        `"${name}" is neither a file nor the experiment id, run id or run name of a run in ${dir}` +
          (listing.exists ? '' : ' (which does not exist)'),
      );
    }
    chosen.push(...matches);
  }
  return chosen;
}

/** `2026-12-01T06:15:03.120Z` → `20261201-061503`. */
function compactTime(date: Date): string {
  return date.toISOString().replace(/\..*$/, '').replace(/[-:]/g, '').replace('T', '-');
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** `basalt-observe compare`: the experiment runs side by side (SPEC §11). */
export const compare: CliCommand = {
  summary: 'compare experiment runs: a table here, an HTML report with every item',
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      options: {
        dir: { type: 'string' },
        last: { type: 'string' },
        out: { type: 'string' },
        'no-report': { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    const last = lastOption('compare', values.last, 2, 6, io);
    if (last === undefined) return 1;
    const dir = resolve(io.cwd, values.dir ?? DEFAULT_DIR);
    let loaded: LoadedRun[];
    if (positionals.length > 0) {
      loaded = await resolveRuns(positionals, dir, io);
    } else {
      const listing = await listRuns(dir);
      for (const { path, reason } of listing.skipped)
        io.err(`basalt-observe compare: skipped ${shown(path, io.cwd)}: ${reason}\n`);
      if (listing.runs.length === 0) {
        io.err(
          `basalt-observe compare: no experiment runs in ${dir}${listing.exists ? '' : ' (the folder does not exist)'}.\n` +
            'basalt.experiments.run saves each run there. Pass run files, or --dir DIR to look elsewhere.\n',
        );
        return 1;
      }
      loaded = latestRuns(listing.runs, last);
    }
    const comparison = compareRuns(loaded.map((entry) => entry.run));
    io.out(`Runs: ${loaded.map((entry) => shown(entry.path, io.cwd)).join(', ')}\n\n`);
    io.out(renderComparisonTable(comparison));
    if (values['no-report']) return 0;
    const outDir = values.dir === undefined && positionals.length > 0 ? dirname(loaded[0]!.path) : dir;
    const out = resolve(io.cwd, values.out ?? resolve(outDir, `compare-${compactTime(new Date())}.html`));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderComparisonHtml(comparison));
    io.out(`\nReport: ${shown(out, io.cwd)}\n`);
    return 0;
  },
};
