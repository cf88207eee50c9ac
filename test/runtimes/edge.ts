/**
 * The Vercel Edge part of test/runtimes/check.ts: examples/runtimes/edge-function.ts bundled as
 * Next.js bundles edge code (conditions edge-light/worker/browser), evaluated by Vercel's
 * edge-runtime with a `process` that holds only `env` (as on Vercel), flushed through the event's
 * `waitUntil`. Run twice: with the `AsyncLocalStorage` global that Next.js's edge sandbox and Vercel
 * add, and without it (edge-runtime's own globals).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '../helpers/checks.js';
import { bundle, NODE_ONLY, type RuntimeCheck } from './workers.js';

interface EdgeRuntimeModule {
  EdgeRuntime: new (options: {
    initialCode: string;
    extend?: (context: Record<string, unknown>) => Record<string, unknown>;
  }) => {
    dispatchFetch(url: string, init?: Record<string, unknown>): Promise<Response & { waitUntil(): Promise<unknown> }>;
  };
}

/** The platform's glue: a fetch event calls the function with the event's waitUntil. */
const ENTRY = `import handler from './edge-function.ts';
addEventListener('fetch', (event) => {
  event.respondWith(handler(event.request, { waitUntil: (promise) => event.waitUntil(promise) }));
});
`;

export async function checkEdge(check: RuntimeCheck): Promise<void> {
  console.log('\n--- Vercel Edge (edge-runtime): examples/runtimes/edge-function.ts');
  copyFileSync(join(check.root, 'examples/runtimes/edge-function.ts'), join(check.app, 'edge-function.ts'));
  writeFileSync(join(check.app, 'edge-entry.ts'), ENTRY);
  const code = await bundle(check, 'edge-entry.ts', ['edge-light', 'worker', 'browser'], 'iife');
  expect(code.includes('fetchTransport'), 'the edge bundle holds the edge build of basalt-observe');
  expect(!NODE_ONLY.test(code), `the edge bundle holds no gRPC, node:fs, http2, tls or net (${code.length} bytes)`);
  const { EdgeRuntime } = await check.load<EdgeRuntimeModule>('edge-runtime');
  const env = {
    BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: check.env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT,
    OPENAI_BASE_URL: check.env.OPENAI_BASE_URL,
    OPENAI_API_KEY: 'test-key',
  };
  for (const withStorage of [true, false]) {
    const name = withStorage ? 'with the AsyncLocalStorage global' : 'without AsyncLocalStorage';
    const warnings: string[] = [];
    const edgeConsole = Object.assign(Object.create(console), {
      warn: (...args: unknown[]) => {
        warnings.push(args.map(String).join(' '));
        console.warn(...args);
      },
    });
    const runtime = new EdgeRuntime({
      initialCode: code,
      extend: (context) =>
        Object.assign(context, { process: { env }, console: edgeConsole }, withStorage ? { AsyncLocalStorage } : {}),
    });
    const user = `edge-user-${withStorage ? 'als' : 'plain'}`;
    const res = await runtime.dispatchFetch('http://localhost/api/chat', {
      method: 'POST',
      headers: { 'x-user-id': user },
      body: JSON.stringify({ prompt: 'hi' }),
    });
    expect((await res.text()) === 'Hello from the test server.', `edge (${name}): the function streams`);
    await res.waitUntil();
    const spans = (await check.spansOf('edge-chat', withStorage ? 2 : 4)).filter(
      (s) => s.attributes['basalt.user.id'] === user,
    );
    expect(
      check.shape(spans, user).join('\n') ===
        [
          'edge-chat > chat gpt-4o-mini | generation | identity | out=5 | status=0 | output',
          'edge-chat | basalt_trace | identity | out=- | status=0 | output',
        ].join('\n'),
      `edge (${name}): the request's root and generation with identity and usage, exported through waitUntil\n${check.shape(spans, user).join('\n')}`,
    );
    const told = warnings.filter((w) => w.startsWith('[basalt]'));
    const expected = withStorage ? [] : [/has no AsyncLocalStorage.*Fix: On Cloudflare Workers, add/];
    expect(
      told.length === expected.length && expected.every((re, i) => re.test(told[i] ?? '')),
      `edge (${name}): ${withStorage ? 'no warning' : 'one warning, that nesting needs AsyncLocalStorage'} (${told.length} told${told.length ? `: ${told.join(' | ')}` : ''})`,
    );
  }
}
