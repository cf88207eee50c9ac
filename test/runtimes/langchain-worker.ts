/**
 * The LangChain part of the Workers check (test/runtimes/check.ts): examples/runtimes/langchain-worker.ts
 * (prompt | ChatOpenAI | parser with `BasaltCallbackHandler`), bundled as workers.ts bundles, under
 * Miniflare (workerd) with nodejs_compat, against the local OpenAI-compatible server. Two requests of
 * two users at once: each trace holds its four spans, every one with its own user.
 *
 * LangChain 1.x's bundle imports `node:fs`, `node:worker_threads` and others (from `langsmith`, its
 * dependency), so the Worker needs nodejs_compat at a date whose runtime has them: it does not load
 * at 2025-09-01 ("No such module node:fs"), with or without basalt-observe, and loads at 2026-07-01.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '../helpers/checks.js';
import { bundle, type MiniflareModule, type RuntimeCheck } from './workers.js';

const COMPATIBILITY_DATE = '2026-07-01';

export async function checkLangChainWorker(check: RuntimeCheck): Promise<void> {
  console.log('\n--- Cloudflare Workers (Miniflare): examples/runtimes/langchain-worker.ts');
  copyFileSync(join(check.root, 'examples/runtimes/langchain-worker.ts'), join(check.app, 'langchain-worker.ts'));
  const code = await bundle(check, 'langchain-worker.ts', ['workerd', 'worker', 'browser'], 'esm');
  expect(code.includes('fetchTransport'), 'the LangChain Worker bundle holds the edge build of basalt-observe');
  expect(!/@grpc\/grpc-js/.test(code), 'the LangChain Worker bundle holds no gRPC');
  const { Miniflare } = await check.load<MiniflareModule>('miniflare');
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'langchain-worker.mjs', contents: code }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    bindings: {
      BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: check.env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT,
      OPENAI_BASE_URL: check.env.OPENAI_BASE_URL,
      OPENAI_API_KEY: 'test-key',
    },
  });
  try {
    const users = ['lc-worker-a', 'lc-worker-b'];
    const answers = await Promise.all(
      users.map(async (user) => {
        const res = await mf.dispatchFetch('http://localhost/ask', {
          method: 'POST',
          headers: { 'x-user-id': user },
          body: JSON.stringify({ question: 'Where is my order?' }),
        });
        return res.text();
      }),
    );
    expect(
      answers.every((a) => a === 'Hello from the test server.'),
      `LangChain Worker (nodejs_compat, ${COMPATIBILITY_DATE}): two concurrent requests get the chain's answer (${answers.join(' / ')})`,
    );
    const spans = await check.spansOf('worker-langchain', 8);
    for (const user of users) {
      const trace = spans.filter((s) => s.attributes['basalt.user.id'] === user);
      const traceIds = new Set(trace.map((s) => s.traceId));
      const lines = check.shape(trace, user);
      expect(
        traceIds.size === 1 &&
          lines.join('\n') ===
            [
              'RunnableSequence > ChatPromptTemplate | span | identity | out=- | status=0 | output',
              'RunnableSequence > StrOutputParser | span | identity | out=- | status=0 | output',
              'RunnableSequence > chat gpt-4o-mini | generation | identity | out=5 | status=0 | output',
              'RunnableSequence | basalt_trace | identity | out=- | status=0 | output',
            ].join('\n'),
        `LangChain Worker: ${user}'s chain is one trace of four spans, all with ${user}, exported through ctx.waitUntil\n${lines.join('\n')}`,
      );
    }
    expect(spans.length === 8, `LangChain Worker: no other span of the feature arrived (${spans.length} of 8)`);
  } finally {
    await mf.dispose();
  }
}
