import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Basalt, observe } from '../../src/index.js';
import '../helpers/tracing.js'; // resets the process-wide tracing after each test
import { runBin } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

let dir = '';
const noColor = process.env.NO_COLOR;

beforeAll(() => {
  // The live trees are printed as a terminal would get them with NO_COLOR.
  process.env.NO_COLOR = '1';
});
afterAll(() => {
  if (noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = noColor;
});
beforeEach(() => {
  dir = tempDir('basalt-cli-');
});

/** Runs `basalt-observe <argv>` in `cwd` with `env`; returns the exit code and what it wrote. */
const cli = (argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  runBin(argv, options.cwd ?? dir, options.env ?? {});

/**
 * Traces `count` roots (`ticket-0`…, each with a `lookup` child) in local mode into `file`, and
 * returns what local mode printed as each root ended, as the terminal got it.
 */
async function traceInto(file: string, count: number, localTraceMaxBytes?: number): Promise<string[]> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (text: string) => printed.push(`${text}\n`);
  try {
    const basalt = new Basalt({
      apiKey: '',
      logLevel: 'silent',
      telemetry: { localTraceFile: file, localTraceMaxBytes },
    });
    for (let i = 0; i < count; i++) {
      await basalt.startObserve(
        { name: `ticket-${i}`, featureSlug: 'support', experiment: 'exp-42', identity: { user: { id: 'u1' } } },
        async (root) => {
          root.setInput('y'.repeat(300));
          await observe({ name: 'lookup', kind: 'retrieval' }, () => 'docs');
        },
      );
      await basalt.flush();
    }
    await basalt.shutdown();
  } finally {
    console.log = log;
  }
  return printed;
}

/** Durations and trace ids made stable. */
const normalized = (text: string) =>
  text.replace(/\d+(\.\d)? ms/g, 'N ms').replace(/trace [0-9a-f]{32}/g, 'trace <id>');

describe('basalt-observe traces', () => {
  it('prints again, line for line, the trees local mode printed, oldest first', async () => {
    const file = join(dir, 'traces.jsonl');
    const printed = await traceInto(file, 3);
    const { code, out, err } = await cli(['traces', '--file', file]);
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(printed.join(''));
    expect(normalized(out).split('\n').slice(0, 4)).toEqual([
      '● ticket-0  basalt_trace  N ms  feature=support  experiment=exp-42  user=u1  evaluate=true',
      '  └─ lookup  retrieval  N ms',
      `  trace <id> → ${file}`,
      '',
    ]);
  });

  it('prints the last N traces with --last', async () => {
    const file = join(dir, 'traces.jsonl');
    const printed = await traceInto(file, 5);
    const { code, out } = await cli(['traces', '--file', file, '--last', '2']);
    expect(code).toBe(0);
    expect(out).toBe(printed.slice(-2).join(''));
  });

  it('reads the rotated file too, older traces first, each naming its file', async () => {
    const file = join(dir, 'traces.jsonl');
    const printed = await traceInto(file, 8, 2048);
    expect(existsSync(`${file}.1`)).toBe(true);
    const { code, out } = await cli(['traces', '--file', file, '--last', '100']);
    expect(code).toBe(0);
    const names = [...out.matchAll(/^● (ticket-\d+)/gm)].map((m) => m[1]);
    const all = printed.map((p) => /^● (ticket-\d+)/.exec(p)?.[1]);
    // The newest traces the two files hold, in the order they were written.
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(all.slice(all.length - names.length));
    expect(out).toContain(`→ ${file}.1\n`);
    expect(out.trimEnd().endsWith(`→ ${file}`)).toBe(true);
  });

  it('prints one trace by its id or the start of it with --trace; an id not found exits 1', async () => {
    const file = join(dir, 'traces.jsonl');
    const printed = await traceInto(file, 3);
    const id = /trace ([0-9a-f]{32})/.exec(printed[1] ?? '')?.[1] ?? '';
    expect((await cli(['traces', '--file', file, '--trace', id])).out).toBe(printed[1]);
    expect((await cli(['traces', '--file', file, '--trace', id.slice(0, 12)])).out).toBe(printed[1]);
    const missing = await cli(['traces', '--file', file, '--trace', 'ffffnotanid']);
    expect(missing).toEqual({
      code: 1,
      out: '',
      err: `basalt-observe traces: no trace whose id starts with "ffffnotanid" in ${file}\n`,
    });
  });

  it('exits 1 and says where it looked when there is no trace file', async () => {
    const { code, out, err } = await cli(['traces']);
    const file = join(dir, '.basalt', 'traces.jsonl');
    expect([code, out]).toEqual([1, '']);
    expect(err).toBe(
      `basalt-observe traces: no trace file at ${file} (nor ${file}.1).\n` +
        'Local mode writes it when an app traces without BASALT_API_KEY in that folder. ' +
        'Pass --file PATH, or set BASALT_LOCAL_TRACE_FILE, to read another file.\n',
    );
  });

  it('reads .basalt/traces.jsonl under the working folder, or BASALT_LOCAL_TRACE_FILE relative to it', async () => {
    const printed = await traceInto(join(dir, '.basalt', 'traces.jsonl'), 1);
    expect((await cli(['traces'])).out).toBe(printed.join(''));
    mkdirSync(join(dir, 'logs'));
    const other = await traceInto(join(dir, 'logs', 'mine.jsonl'), 1);
    expect((await cli(['traces'], { env: { BASALT_LOCAL_TRACE_FILE: 'logs/mine.jsonl' } })).out).toBe(other.join(''));
  });

  it('says so when the file holds no traces yet', async () => {
    const file = join(dir, 'traces.jsonl');
    appendFileSync(file, '');
    expect(await cli(['traces', '--file', file])).toEqual({
      code: 0,
      out: '',
      err: `basalt-observe traces: no traces in ${file} yet\n`,
    });
  });

  it('skips lines that are not spans (a write cut short) and says how many', async () => {
    const file = join(dir, 'traces.jsonl');
    const first = await traceInto(file, 1);
    appendFileSync(file, '{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f0\nnot json at all\n[1,2]\n');
    const { code, out, err } = await cli(['traces', '--file', file]);
    expect(code).toBe(0);
    expect(out).toBe(first.join(''));
    expect(err).toBe('basalt-observe traces: skipped 3 line(s) that are not spans (cut short by a failed write?)\n');
  });

  it('rejects a --last that is not a positive integer and an unknown option, with exit 1', async () => {
    expect(await cli(['traces', '--last', '0'])).toEqual({
      code: 1,
      out: '',
      err: 'basalt-observe traces: --last must be a positive integer; got "0"\n',
    });
    const unknown = await cli(['traces', '--since', 'yesterday']);
    expect([unknown.code, unknown.err]).toEqual([1, "basalt-observe traces: Unknown option '--since'\n"]);
  });

  it('prints its options with --help', async () => {
    const { code, out } = await cli(['traces', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: basalt-observe traces \[--last N\] \[--trace ID\] \[--file PATH\]\n/);
    expect(out).toContain('--file PATH');
  });
});

describe('basalt-observe', () => {
  it('lists its commands with --help, and on stderr with exit 1 without a command', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: basalt-observe <command> [options]');
    expect(help.out).toMatch(/^ {2}traces {3}print the trace trees of the local trace file again$/m);
    expect(await cli([])).toEqual({ code: 1, out: '', err: help.out });
  });

  it('says "unknown command" for a command it does not have, with exit 1', async () => {
    const { code, out, err } = await cli(['compar']);
    expect([code, out]).toEqual([1, '']);
    expect(err).toMatch(/^basalt-observe: unknown command "compar"\n\nUsage: basalt-observe <command>/);
    expect((await cli(['constructor'])).code).toBe(1);
  });

  it('is imported by no file of the library: the core never loads the bin', () => {
    const src = join(import.meta.dirname, '..', '..', 'src');
    const importers = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.startsWith(`cli${'/'}`) && !file.startsWith('cli\\'))
      .filter((file) => /from\s+['"][^'"]*\/cli\//.test(readFileSync(join(src, file), 'utf8')))
      .map((file) => relative(src, join(src, file)));
    expect(importers).toEqual([]);
  });
});
