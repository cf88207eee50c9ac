/**
 * The Cloudflare Workers part of test/runtimes/check.ts: examples/runtimes/worker.ts bundled the way
 * wrangler bundles by default, then served by Miniflare (the real workerd) in the three setups
 * users have: nodejs_compat at a recent date, nodejs_compat at 2024-09-23 (no node:fs, no
 * FinalizationRegistry), and no nodejs_compat (no AsyncLocalStorage, no process, no Buffer).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '../helpers/checks.js';
import type { ReceivedSpan } from '../helpers/otlp-receiver.js';

export interface RuntimeCheck {
  app: string;
  root: string;
  env: Record<string, string | undefined>;
  load<T>(name: string): Promise<T>;
  spansOf(slug: string, n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  shape(spans: ReceivedSpan[], userId: string): string[];
}

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: Array<{ text: string }> }>;
}

export interface MiniflareModule {
  Miniflare: new (
    options: Record<string, unknown>,
  ) => {
    dispatchFetch(url: string, init?: Record<string, unknown>): Promise<Response>;
    dispose(): Promise<void>;
  };
}

/** What must never be in an edge bundle: gRPC, Node's HTTP/2, TLS, sockets and file system. */
export const NODE_ONLY = /@grpc\/grpc-js|["'](node:)?(fs|fs\/promises|http2|tls|net|child_process)["']/;

/** esbuild as a platform bundles: the package's conditions decide which build goes in. */
export async function bundle(check: RuntimeCheck, entry: string, conditions: string[], format: string) {
  const esbuild = await check.load<Esbuild>('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(check.app, entry)],
    absWorkingDir: check.app,
    bundle: true,
    write: false,
    format,
    platform: 'neutral',
    target: 'es2022',
    conditions,
    mainFields: ['browser', 'module', 'main'],
    // wrangler leaves Node's built-ins to the runtime (nodejs_compat) rather than failing the build.
    external: ['node:*'],
    logLevel: 'error',
  });
  return result.outputFiles[0]?.text ?? '';
}

const SETUPS = [
  { name: 'nodejs_compat, 2025-09-01', flags: ['nodejs_compat'], date: '2025-09-01', als: true },
  { name: 'nodejs_compat, 2024-09-23', flags: ['nodejs_compat'], date: '2024-09-23', als: true },
  { name: 'no nodejs_compat', flags: [], date: '2025-09-01', als: false },
];

export async function checkWorkers(check: RuntimeCheck): Promise<void> {
  console.log('\n--- Cloudflare Workers (Miniflare): examples/runtimes/worker.ts');
  copyFileSync(join(check.root, 'examples/runtimes/worker.ts'), join(check.app, 'worker.ts'));
  const code = await bundle(check, 'worker.ts', ['workerd', 'worker', 'browser'], 'esm');
  expect(code.includes('fetchTransport'), 'the Worker bundle holds the edge build of basalt-observe');
  expect(!NODE_ONLY.test(code), `the Worker bundle holds no gRPC, node:fs, http2, tls or net (${code.length} bytes)`);
  expect(!/from\s*["']node:/.test(code), 'the Worker bundle imports no node: module (loads without nodejs_compat)');
  const { Miniflare } = await check.load<MiniflareModule>('miniflare');
  let n = 0;
  for (const setup of SETUPS) {
    n++;
    const mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }],
      compatibilityDate: setup.date,
      compatibilityFlags: setup.flags,
      bindings: {
        BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: check.env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT,
        OPENAI_BASE_URL: check.env.OPENAI_BASE_URL,
        OPENAI_API_KEY: 'test-key',
      },
    });
    try {
      const user = `worker-user-${n}`;
      const before = (await check.spansOf('worker-chat', 0, 0)).length;
      const res = await mf.dispatchFetch('http://localhost/chat', {
        method: 'POST',
        headers: { 'x-user-id': user },
        body: JSON.stringify({ prompt: 'hi' }),
      });
      expect((await res.text()) === 'Hello from the test server.', `Worker (${setup.name}): the route streams`);
      const spans = (await check.spansOf('worker-chat', before + 2)).filter(
        (s) => s.attributes['basalt.user.id'] === user,
      );
      expect(
        check.shape(spans, user).join('\n') ===
          [
            'worker-chat > chat gpt-4o-mini | generation | identity | out=5 | status=0 | output',
            'worker-chat | basalt_trace | identity | out=- | status=0 | output',
          ].join('\n'),
        `Worker (${setup.name}): the request's root and generation, with its identity and usage, exported through ctx.waitUntil\n${check.shape(spans, user).join('\n')}`,
      );
      const quickBefore = (await check.spansOf('worker-quick', 0, 0)).length;
      const quick = await mf.dispatchFetch('http://localhost/quick');
      expect(quick.status === 200, `Worker (${setup.name}): /quick answers`);
      await quick.text();
      const want = setup.als ? 3 : 2;
      const quickSpans = (await check.spansOf('worker-quick', quickBefore + want)).slice(quickBefore);
      const lines = check
        .shape(quickSpans, '-')
        .map((l) => l.split(' | ')[0])
        .sort();
      const expected = setup.als ? ['quick', 'quick > explicit', 'quick > nested'] : ['quick', 'quick > explicit'];
      expect(
        JSON.stringify(lines) === JSON.stringify(expected),
        `Worker (${setup.name}): ${setup.als ? 'a child nests through the active context and through an explicit parent' : 'no AsyncLocalStorage: an explicit parent still nests, nothing throws'} (${lines.join(', ')})`,
      );
    } finally {
      await mf.dispose();
    }
  }
  await checkLocalMode(check, Miniflare, code, []);
  await checkLocalMode(check, Miniflare, code, ['nodejs_compat']);
}

/**
 * Local mode on a Worker (no API key, no endpoint), with and without nodejs_compat: no file system
 * to write to, so the trace tree is printed to the Worker's console and nothing is sent.
 */
async function checkLocalMode(
  check: RuntimeCheck,
  Miniflare: MiniflareModule['Miniflare'],
  code: string,
  flags: string[],
) {
  const name = flags.length ? flags.join(', ') : 'no nodejs_compat';
  let output = '';
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: code }],
    compatibilityDate: '2025-09-01',
    compatibilityFlags: flags,
    bindings: { OPENAI_BASE_URL: check.env.OPENAI_BASE_URL, OPENAI_API_KEY: 'test-key' },
    handleRuntimeStdio(stdout: NodeJS.ReadableStream, stderr: NodeJS.ReadableStream) {
      stdout.on('data', (chunk) => (output += String(chunk)));
      stderr.on('data', (chunk) => (output += String(chunk)));
    },
  });
  try {
    const sent = (await check.spansOf('worker-chat', 0, 0)).length;
    const res = await mf.dispatchFetch('http://localhost/chat', {
      method: 'POST',
      headers: { 'x-user-id': 'local-user' },
      body: JSON.stringify({ prompt: 'hi' }),
    });
    await res.text();
    const deadline = Date.now() + 10_000;
    while (!/trace [0-9a-f]{32}/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(
      /worker-chat/.test(output) && /chat gpt-4o-mini/.test(output) && /trace [0-9a-f]{32}\n/.test(output),
      `Worker (local mode, ${name}): the trace tree is printed to the console, with no file named\n${output}`,
    );
    expect(
      (await check.spansOf('worker-chat', 0, 0)).length === sent,
      `Worker (local mode, ${name}): nothing is sent to the collector`,
    );
  } finally {
    await mf.dispose();
  }
}
