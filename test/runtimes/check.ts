/**
 * basalt-observe on the runtimes AI SDK apps deploy to (issue #15, SPEC §12), run by .ci/runtimes
 * from an app that installed the packed tarball with pinned bun, deno, miniflare, edge-runtime and
 * esbuild:
 *
 *   tsx test/runtimes/check.ts <app-dir>
 *
 * Against a local OTLP/HTTP receiver and the local OpenAI-compatible server (both on 127.0.0.1):
 * - Bun and Deno run test/runtimes/scenario.mjs (quick start, AI SDK generate + stream, LangChain),
 *   and their spans must match a Node run of the same file, span for span;
 * - examples/runtimes/bun-server.ts serves a streaming route under Bun, exported with no flush call;
 * - examples/runtimes/worker.ts, bundled as wrangler bundles by default (esbuild, conditions
 *   workerd/worker/browser), must hold no gRPC and no node:fs, and runs under Miniflare (workerd)
 *   with nodejs_compat at a recent and at an older date, and without nodejs_compat;
 * - examples/runtimes/langchain-worker.ts (a LangChain chain with BasaltCallbackHandler) runs under
 *   Miniflare with nodejs_compat, two users at once (test/runtimes/langchain-worker.ts);
 * - examples/runtimes/edge-function.ts, bundled as Next.js bundles edge code (conditions
 *   edge-light/worker/browser), runs in Vercel's edge-runtime, with and without the
 *   AsyncLocalStorage global that Next.js's edge sandbox adds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CheckFailed, expect, fail, passed, sleep } from '../helpers/checks.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';

const app = resolve(process.argv[2] ?? fail('usage: check.ts <app-dir>'));
const root = resolve(import.meta.dirname, '../..');
const requireFromApp = createRequire(join(app, 'package.json'));
const load = async <T>(name: string): Promise<T> => import(pathToFileURL(requireFromApp.resolve(name)).href) as T;
const bin = (name: string) => join(app, 'node_modules', '.bin', name);

const receiver = await startOtlpReceiver({ protocol: 'http' });
const openai = await startOpenAIServer({ replies: [{ type: 'text', text: 'Hello from the test server.' }] });
const env = {
  ...process.env,
  BASALT_API_KEY: '',
  BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OPENAI_BASE_URL: openai.baseURL,
  OPENAI_API_KEY: 'test-key',
  NO_COLOR: '1',
};

/** The spans whose feature slug is `slug`, once `n` arrived (bounded wait). */
async function spansOf(slug: string, n: number, timeoutMs = 15_000): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = receiver.spans.filter((s) => s.attributes['basalt.span.feature_slug'] === slug);
    if (found.length >= n || Date.now() > deadline) return found;
    await sleep(100);
  }
}

/** Each span as one line: its path of names from the root, Basalt kind, identity, usage, status. */
function shape(spans: ReceivedSpan[], userId: string): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const path = (span: ReceivedSpan): string => {
    const names: string[] = [];
    for (let s: ReceivedSpan | undefined = span, i = 0; s && i < 20; i++) {
      names.unshift(s.name);
      s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    }
    return names.join(' > ');
  };
  return spans
    .map((s) =>
      [
        path(s),
        s.attributes['basalt.span.kind'],
        s.attributes['basalt.user.id'] === userId ? 'identity' : `identity=${String(s.attributes['basalt.user.id'])}`,
        `out=${String(s.attributes['gen_ai.usage.output_tokens'] ?? '-')}`,
        `status=${s.status.code}`,
        typeof s.attributes['basalt.span.output'] === 'string' ? 'output' : 'no output',
      ].join(' | '),
    )
    .sort();
}

/** Runs a command to its end (bounded), failing with its output when it exits non-zero. */
function run(command: string, args: string[], extraEnv: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { cwd: app, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) done(out);
      else reject(new CheckFailed(`${command} ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

// --- Bun and Deno: the scenario, span for span against Node ------------------------------------
copyFileSync(join(root, 'test/runtimes/scenario.mjs'), join(app, 'scenario.mjs'));
console.log('\n--- Node, Bun, Deno: quick start, AI SDK generate + stream, LangChain');
await run(process.execPath, ['scenario.mjs'], { RUNTIME: 'node' }, 60_000);
const nodeShape = shape(await spansOf('runtimes-node', 9), 'user-node');
expect(nodeShape.length >= 9, `Node: ${nodeShape.length} spans of the scenario arrived (at least 9)`);
expect(
  nodeShape.filter((l) => l.includes('| generation | identity | out=5')).length === 2 &&
    nodeShape.some((l) => l.startsWith('refund_chain > chat | generation | identity')),
  `Node: generate and stream (with usage) and the LangChain chat model give generation spans with identity\n${nodeShape.join('\n')}`,
);
for (const [runtime, command, args] of [
  ['bun', bin('bun'), ['scenario.mjs']],
  ['deno', bin('deno'), ['run', '--allow-all', 'scenario.mjs']],
] as const) {
  const output = await run(command, [...args], { RUNTIME: runtime }, 90_000);
  expect(output.includes('"streamed":"Hello from the test server."'), `${runtime}: the scenario ran to its end`);
  const got = shape(await spansOf(`runtimes-${runtime}`, nodeShape.length), `user-${runtime}`).map((l) =>
    l.replaceAll(`runtimes-${runtime}`, 'runtimes-node'),
  );
  expect(
    JSON.stringify(got) === JSON.stringify(nodeShape),
    `${runtime}: the same ${got.length} spans as Node, span for span${JSON.stringify(got) === JSON.stringify(nodeShape) ? '' : `\n${got.join('\n')}\n--- Node:\n${nodeShape.join('\n')}`}`,
  );
}

// --- Bun and Deno: the exit flush (no shutdown() call) and local mode --------------------------
for (const [runtime, command, args] of [
  ['bun', bin('bun'), ['scenario.mjs']],
  ['deno', bin('deno'), ['run', '--allow-all', 'scenario.mjs']],
] as const) {
  const started = Date.now();
  await run(command, [...args], { RUNTIME: `${runtime}-exit`, NO_SHUTDOWN: '1' }, 60_000);
  const got = await spansOf(`runtimes-${runtime}-exit`, nodeShape.length);
  expect(
    got.length === nodeShape.length,
    `${runtime}: with no shutdown() call, the last flush at exit sends all ${got.length} spans (exited in ${Date.now() - started} ms)`,
  );
  const file = join(app, `${runtime}-local.jsonl`);
  const local = await run(
    command,
    [...args],
    { RUNTIME: `${runtime}-local`, BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: '', BASALT_LOCAL_TRACE_FILE: file },
    60_000,
  );
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  expect(
    lines.length === nodeShape.length && /quickstart/.test(local) && /refund_chain/.test(local),
    `${runtime}: local mode writes the ${lines.length} spans to the trace file and prints the trees`,
  );
}

// --- Bun server example -------------------------------------------------------------------------
console.log('\n--- Bun: examples/runtimes/bun-server.ts');
{
  const server: ChildProcess = spawn(bin('bun'), ['bun-server.ts'], {
    cwd: app,
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((done, reject) => {
      const timer = setTimeout(() => reject(new CheckFailed('bun-server did not listen within 20 s')), 20_000);
      server.stdout?.on('data', (c: Buffer) => {
        const match = /listening (\S+)/.exec(String(c));
        if (match?.[1]) {
          clearTimeout(timer);
          done(match[1]);
        }
      });
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-user-id': 'bun-user' },
      body: JSON.stringify({ prompt: 'hi' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect((await res.text()) === 'Hello from the test server.', 'Bun server: the route streams the answer');
    const spans = await spansOf('bun-chat', 2);
    expect(
      shape(spans, 'bun-user').join('\n') ===
        [
          'bun-chat > chat gpt-4o-mini | generation | identity | out=5 | status=0 | output',
          'bun-chat | basalt_trace | identity | out=- | status=0 | output',
        ].join('\n'),
      `Bun server: a root and its generation with the caller's identity arrive with no flush call\n${shape(spans, 'bun-user').join('\n')}`,
    );
  } finally {
    server.kill('SIGTERM');
  }
}

await import('./workers.js').then((m) => m.checkWorkers({ app, root, env, load, spansOf, shape }));
await import('./langchain-worker.js').then((m) => m.checkLangChainWorker({ app, root, env, load, spansOf, shape }));
await import('./edge.js').then((m) => m.checkEdge({ app, root, env, load, spansOf, shape }));

await receiver.close();
await openai.close();
console.log(`\nruntimes: ${passed()} checks passed`);
