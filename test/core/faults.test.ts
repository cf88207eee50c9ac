import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { Basalt, observe } from '../../src/index.js';
import { type OtlpReceiver, type OtlpReceiverOptions, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

// §8 and §10: a collector that is down, slow or refusing never breaks, blocks or slows the app.

const CALLS = 2_000;
/** Small, so that 2,000 traces overflow it whatever the collector does. */
const QUEUE = 64;
/** Calls between two yields to the event loop: their 2 × 100 spans always overflow the queue. */
const CHUNK = 100;
/** Each input and output is a fresh ~10 KB string once serialized: 4,000 leaked spans would hold 40+ MB. */
const PAYLOAD = 'p'.repeat(10_000);
const HEAP_BOUND = 16 * 1024 * 1024;
const TIMING_MARGIN_MS = 500;
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/exit-without-shutdown.ts', import.meta.url));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let receiver: OtlpReceiver | undefined;
let warn: MockInstance<typeof console.warn>;

// Console captured for the whole file: a scenario's export still in flight after its shutdown(timeout)
// may fail and warn later, and grpc-js reports a refused connection on console.error.
beforeAll(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterAll(() => {
  vi.restoreAllMocks();
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await resetTracing();
});

interface Outcome {
  /** Calls whose result was not the very value their function returned. */
  wrong: number;
  elapsedMs: number;
}

/** `count` traces of a root and one child, each returning its own object; yields every CHUNK calls. */
async function tracedCalls(basalt: Basalt, count: number): Promise<Outcome> {
  let wrong = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (i % CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
    const expected = { index: i };
    const actual = await basalt.startObserve(
      { name: 'handle_request', featureSlug: 'faults', input: { index: i, text: PAYLOAD } },
      () =>
        basalt.observe({ name: 'work', kind: 'function' }, async () => {
          observe.setOutput({ index: i, text: PAYLOAD });
          return expected;
        }),
    );
    if (actual !== expected) wrong++;
  }
  return { wrong, elapsedMs: performance.now() - started };
}

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Polls `predicate` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
async function eventually(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return predicate();
}

function warningsContaining(text: string): number {
  return warn.mock.calls.filter((args) => args.map(String).join(' ').includes(text)).length;
}

const collectors: Array<{ collector: string; options: OtlpReceiverOptions; failsExports: boolean }> = [
  { collector: 'is down (connection refused)', options: { protocol: 'http', closed: true }, failsExports: true },
  { collector: 'answers 503', options: { protocol: 'http', status: 503 }, failsExports: true },
  { collector: 'answers 400', options: { protocol: 'http', status: 400 }, failsExports: true },
  { collector: 'is down over gRPC', options: { protocol: 'grpc', closed: true }, failsExports: true },
  { collector: 'answers UNAVAILABLE over gRPC', options: { protocol: 'grpc', status: 503 }, failsExports: true },
  // Last: an export still in flight at the end may fail later and warn then (once, in this scenario).
  { collector: 'answers after 5 s', options: { protocol: 'http', delayMs: 5_000 }, failsExports: false },
];

describe.each(collectors)('when the collector $collector', ({ options, failsExports }) => {
  it('runs 2,000 traced calls unchanged, counts what is lost, warns once and keeps memory bounded', async () => {
    warn.mockClear();
    receiver = await startOtlpReceiver(options);
    const basalt = new Basalt({
      apiKey: 'test-key-123456',
      logLevel: 'warn',
      telemetry: { endpoint: receiver.endpoint, maxQueueSize: QUEUE },
    });
    await tracedCalls(basalt, 10); // creates the tracing runtime and loads the exporter before measuring
    const heapBefore = heapAfterGc();

    const outcome = await tracedCalls(basalt, CALLS);

    expect(outcome.wrong).toBe(0);
    // Nothing on the app's path waits for the collector (a slow one answers after 5 s).
    expect(outcome.elapsedMs).toBeLessThan(5_000);
    expect(heapAfterGc() - heapBefore).toBeLessThan(HEAP_BOUND);
    expect(basalt.stats().droppedQueueFull).toBeGreaterThan(0);
    if (failsExports) {
      expect(await eventually(() => basalt.stats().failedExports > 0, 12_000)).toBe(true);
      expect(warningsContaining('Exporting spans failed')).toBe(1);
    }
    expect(warningsContaining('Export queue full')).toBe(1);
    const { exported, droppedQueueFull, failedExports } = basalt.stats();
    expect(exported + droppedQueueFull + failedExports).toBeLessThanOrEqual(2 * (CALLS + 10));
    if (failsExports) expect(exported).toBe(0);

    const flushMs = await timed(() => basalt.flush(1_000));
    expect(flushMs).toBeLessThan(1_000 + TIMING_MARGIN_MS);
    // The slow collector still holds an export: flush gave up at its timeout instead of waiting.
    if (options.delayMs) expect(flushMs).toBeGreaterThanOrEqual(950);
    expect(await timed(() => basalt.shutdown(1_000))).toBeLessThan(1_000 + TIMING_MARGIN_MS);
    expect(warningsContaining('Export queue full')).toBe(1);
  });
});

interface ScriptRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** From the script's last traced call to the process's exit. */
  exitAfterDoneMs: number | undefined;
}

/** Runs the fixture script with tsx against `endpoint`; kills it after `killAfterMs`. */
function runScript(endpoint: string, killAfterMs: number): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, endpoint], {
      cwd: repoRoot,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let doneAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (doneAt === undefined && stdout.includes('"done":true')) doneAt = performance.now();
    });
    child.stderr.resume();
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const exitAfterDoneMs = doneAt === undefined ? undefined : performance.now() - doneAt;
      resolve({ code, signal, stdout, exitAfterDoneMs });
    });
  });
}

describe('a script that never calls shutdown', () => {
  const receivers: OtlpReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('exits by itself with code 0 within 7 s of its last call when the collector is down or slow', async () => {
    const cases: Array<[string, OtlpReceiverOptions]> = [
      ['down', { protocol: 'http', closed: true }],
      ['slow', { protocol: 'http', delayMs: 5_000 }],
      ['slow over gRPC', { protocol: 'grpc', delayMs: 5_000 }],
    ];
    const runs = await Promise.all(
      cases.map(async ([name, options]) => {
        const collector = await startOtlpReceiver(options);
        receivers.push(collector);
        return { name, ...(await runScript(collector.endpoint, 20_000)) };
      }),
    );
    for (const run of runs) {
      expect({ name: run.name, code: run.code, signal: run.signal }).toEqual({ name: run.name, code: 0, signal: null });
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        done: true,
        results: [0, 2, 4, 6, 8],
      });
      expect({ name: run.name, exitedInTime: (run.exitAfterDoneMs ?? Infinity) < 7_000 }).toEqual({
        name: run.name,
        exitedInTime: true,
      });
    }
  }, 30_000);
});
