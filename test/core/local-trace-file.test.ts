import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Basalt, observe } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { resetTracing } from '../helpers/tracing.js';

let dir = '';
let warnings: string[] = [];
const warn = console.warn;

beforeEach(() => {
  dir = tempDir('basalt-trace-file-');
  warnings = [];
  console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
});

afterEach(async () => {
  console.warn = warn;
  await resetTracing();
});

/** A local-mode client writing to `file`, printing nothing. */
function localClient(file: string, localTraceMaxBytes?: number): Basalt {
  return new Basalt({
    apiKey: '',
    logLevel: 'warn',
    telemetry: { localTraceFile: file, localTraceMaxBytes, printTraces: false },
  });
}

/** Traces `names` one after the other, each a root (input of `inputBytes`) with one child; flushes after each. */
async function trace(basalt: Basalt, names: string[], inputBytes = 600): Promise<number[]> {
  const results: number[] = [];
  for (const [i, name] of names.entries()) {
    const input = 'x'.repeat(inputBytes);
    results.push(
      await basalt.startObserve({ name, featureSlug: 'f', input }, () => observe({ name: 'step' }, () => i)),
    );
    await basalt.flush();
  }
  return results;
}

/** The root names written to a file, in order ([] when it does not exist). */
function roots(file: string): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const records = lines.map((line) => JSON.parse(line) as { name: string; attributes: Record<string, unknown> });
  return records.filter((r) => r.attributes['basalt.root'] === true).map((r) => r.name);
}

describe('local trace file › rotation', () => {
  it('renames the file to traces.jsonl.1 when a write would pass localTraceMaxBytes, keeping one older file', async () => {
    const file = join(dir, 'traces.jsonl');
    const basalt = localClient(file, 4096);
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await trace(basalt, names);
    await basalt.shutdown();
    expect(statSync(file).size).toBeLessThanOrEqual(4096);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(4096);
    expect(existsSync(`${file}.2`)).toBe(false);
    const kept = [...roots(`${file}.1`), ...roots(file)];
    // The newest traces, in order, none missing between the two files; the oldest are gone.
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThan(names.length);
    expect(kept).toEqual(names.slice(names.length - kept.length));
  });

  it('counts a file left by an earlier run', async () => {
    const file = join(dir, 'traces.jsonl');
    writeFileSync(file, `${'{}\n'.repeat(1300)}`);
    const basalt = localClient(file, 4096);
    await trace(basalt, ['after-restart']);
    await basalt.shutdown();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('{}\n'.repeat(1300));
    expect(roots(file)).toEqual(['after-restart']);
  });

  it('writes a batch larger than the limit whole, then rotates it away', async () => {
    const file = join(dir, 'traces.jsonl');
    const basalt = localClient(file, 1024);
    await trace(basalt, ['big'], 3000);
    expect(statSync(file).size).toBeGreaterThan(3000);
    expect(roots(file)).toEqual(['big']);
    await trace(basalt, ['next'], 10);
    await basalt.shutdown();
    expect([roots(`${file}.1`), roots(file)]).toEqual([['big'], ['next']]);
  });

  it.skipIf(process.platform === 'win32')('creates the file readable by its owner only', async () => {
    const file = join(dir, 'nested', 'traces.jsonl');
    const basalt = localClient(file);
    await trace(basalt, ['private']);
    await basalt.shutdown();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('local trace file › write failures', () => {
  /** Runs three traces (six spans) and checks the app saw their results and nothing thrown. */
  async function lose(basalt: Basalt): Promise<void> {
    expect(await trace(basalt, ['a', 'b', 'c'])).toEqual([0, 1, 2]);
    await basalt.shutdown();
  }

  it('counts the spans of a file it cannot create and warns once, naming it; the app goes on', async () => {
    writeFileSync(join(dir, 'blocker'), 'a file where the folder should be');
    const file = join(dir, 'blocker', 'traces.jsonl');
    const basalt = localClient(file);
    await lose(basalt);
    expect(basalt.stats()).toMatchObject({ exported: 0, failedExports: 6 });
    const told = warnings.filter((w) => w.includes(file));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`could not write the local trace file ${file} (ENOTDIR`);
  });

  it.skipIf(!existsSync('/dev/full'))('counts the spans lost to a full disk and warns once', async () => {
    const basalt = localClient('/dev/full');
    await lose(basalt);
    expect(basalt.stats()).toMatchObject({ exported: 0, failedExports: 6 });
    const told = warnings.filter((w) => w.includes('/dev/full'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('ENOSPC');
  });

  it('writes nothing past the limit when the file cannot be rotated', async () => {
    const file = join(dir, 'traces.jsonl');
    mkdirSync(join(`${file}.1`, 'in-the-way'), { recursive: true });
    const basalt = localClient(file, 1024);
    await trace(basalt, ['first'], 2000);
    const size = statSync(file).size;
    await lose(basalt);
    expect(statSync(file).size).toBe(size);
    expect(roots(file)).toEqual(['first']);
    expect(basalt.stats()).toMatchObject({ exported: 2, failedExports: 6 });
    const told = warnings.filter((w) => w.includes(file));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`reached ${size} bytes and could not be renamed to ${file}.1`);
  });
});
