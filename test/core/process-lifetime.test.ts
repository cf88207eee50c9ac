import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_TIMEOUT_MS } from '../../src/core/constants.js';
import { type OtlpReceiver, type OtlpReceiverOptions, startOtlpReceiver } from '../helpers/otlp-receiver.js';

// §8, issue #10 item 16: nothing of the package keeps a process alive. Scripts
// (fixtures/exit-timing.ts, run from src) export to collectors that refuse, swallow, stall, fail or
// reset every export; the test times their exit from what they print (epoch ms).

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/exit-timing.ts', import.meta.url));
/** More than two batches of 512, so that a chain of exports one after another would show. */
const SPANS = 1_200;
/** Slack between a deadline and the exit, for a loaded machine (test files run in parallel). */
const AFTER_SHUTDOWN_MS = 1_500;
const AFTER_LAST_SPAN_MS = DEFAULT_EXPORT_TIMEOUT_MS + 2_000;

type Mode = 'shutdown' | 'processor-shutdown' | 'no-shutdown';

const collectors: Array<[string, OtlpReceiverOptions]> = [
  ['refuses connections', { protocol: 'http', closed: true }],
  ['is a black hole', { protocol: 'http', blackHole: true }],
  ['answers after 8 s', { protocol: 'http', delayMs: 8_000 }],
  ['answers 503', { protocol: 'http', status: 503 }],
  ['resets connections', { protocol: 'http', reset: true }],
  ['is a black hole over gRPC', { protocol: 'grpc', blackHole: true }],
  ['answers after 8 s over gRPC', { protocol: 'grpc', delayMs: 8_000 }],
];

interface Exit {
  collector: string;
  code: number | null;
  lastSpanAt?: number;
  shutdownAt?: number;
  exitAt: number;
}

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function runScript(collector: string, endpoint: string, mode: Mode): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, endpoint, mode, String(SPANS)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('exit', (code) => {
      const exitAt = Date.now();
      clearTimeout(killer);
      const printed = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Partial<Exit>);
      resolve(Object.assign({ collector, code, exitAt }, ...printed) as Exit);
    });
  });
}

/** One script per collector, all at once, each with a receiver of its own. */
function runAll(mode: Mode): Promise<Exit[]> {
  return Promise.all(
    collectors.map(async ([collector, options]) => {
      const receiver = await startOtlpReceiver(options);
      receivers.push(receiver);
      return runScript(collector, receiver.endpoint, mode);
    }),
  );
}

/** Each script's exit code and whether it was gone within `bound` ms of `from`. */
function timings(exits: Exit[], from: 'shutdownAt' | 'lastSpanAt', bound: number) {
  return exits.map((exit) => ({
    collector: exit.collector,
    code: exit.code,
    exitedInTime: exit.exitAt - (exit[from] ?? Number.NaN) < bound,
  }));
}

const allInTime = collectors.map(([collector]) => ({ collector, code: 0, exitedInTime: true }));

describe('process lifetime, when the collector is down, slow or failing', () => {
  it(`exits within ${AFTER_SHUTDOWN_MS} ms of basalt.shutdown() resolving`, async () => {
    expect(timings(await runAll('shutdown'), 'shutdownAt', AFTER_SHUTDOWN_MS)).toEqual(allInTime);
  }, 60_000);

  it(`exits within ${AFTER_SHUTDOWN_MS} ms of BasaltSpanProcessor.shutdown(1 s) resolving, exports still in flight`, async () => {
    expect(timings(await runAll('processor-shutdown'), 'shutdownAt', AFTER_SHUTDOWN_MS)).toEqual(allInTime);
  }, 60_000);

  it('exits within the export deadline + 2 s of its last span when the script never calls shutdown()', async () => {
    expect(timings(await runAll('no-shutdown'), 'lastSpanAt', AFTER_LAST_SPAN_MS)).toEqual(allInTime);
  }, 60_000);
});
