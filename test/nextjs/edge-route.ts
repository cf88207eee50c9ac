/**
 * The edge route of examples/nextjs (`app/api/edge/route.ts`, `export const runtime = 'edge'`),
 * checked by test/nextjs/check.ts against the same `next start` server, fake OpenAI server and OTLP
 * receiver: the route gets basalt-observe's edge build from `next build`, streams, and its trace
 * (a root and its generation with the caller's identity) reaches the receiver over OTLP/HTTP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, fail, sleep } from '../helpers/checks.js';
import type { OtlpReceiver, ReceivedSpan } from '../helpers/otlp-receiver.js';

const USER = 'user-edge-9';
const TIMEOUT_MS = 20_000;

/** `next build` bundled the edge build of basalt-observe into the edge chunks, and nothing of Node's. */
function checkEdgeChunks(app: string): void {
  const dir = join(app, '.next', 'server', 'edge');
  const code = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
  expect(
    code.includes('trace trees are printed to the console'),
    '[edge] next build put the edge build of basalt-observe (edge-light condition) into the edge chunks',
  );
  expect(
    !/@grpc\/grpc-js|["']node:(fs|http2|tls|net)["']/.test(code),
    '[edge] the edge chunks hold no gRPC and no node:fs, http2, tls or net',
  );
}

export async function checkEdgeRoute(
  app: string,
  url: string,
  receiver: OtlpReceiver,
  expectedText: string,
): Promise<void> {
  checkEdgeChunks(app);
  const response = await fetch(`${url}/api/edge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': USER },
    body: JSON.stringify({ prompt: `Hello, I am ${USER}` }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  expect(response.status === 200, `[edge] POST /api/edge answered 200 (got ${response.status})`);
  const text = await response.text();
  expect(text === expectedText, `[edge] the streamed answer was read in full (got ${JSON.stringify(text)})`);
  let root: ReceivedSpan | undefined;
  let generation: ReceivedSpan | undefined;
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    root = receiver.spans.find((s) => s.attributes['basalt.root'] === true && s.attributes['basalt.user.id'] === USER);
    generation = receiver.spans.find((s) => root && s.parentSpanId === root.spanId);
    if (generation) break;
    await sleep(100);
  }
  if (!root || !generation) fail(`[edge] no root with basalt.user.id=${USER} and a child within ${TIMEOUT_MS} ms`);
  expect(root.attributes['basalt.span.feature_slug'] === 'chat-edge', '[edge] root span has feature slug "chat-edge"');
  expect(
    generation.attributes['basalt.span.kind'] === 'generation' && generation.attributes['basalt.user.id'] === USER,
    `[edge] a generation child with basalt.user.id=${USER}`,
  );
  expect(
    String(generation.attributes['gen_ai.output.messages'] ?? '').includes(expectedText),
    '[edge] the generation span recorded the whole streamed answer',
  );
  expect(
    root.resource['service.name'] === 'nextjs-edge-example' && root.resource['basalt.sdk.type'] === 'nodejs',
    '[edge] exported by the edge route client (service nextjs-edge-example)',
  );
}
