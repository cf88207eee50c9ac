/**
 * End-to-end check of `examples/nextjs`, run by `.ci/nextjs` after `next build`:
 *
 * 1. starts a fake OpenAI server and an OTLP/HTTP receiver on 127.0.0.1;
 * 2. starts the built app with `next start -H 127.0.0.1` on a free port, pointed at both;
 * 3. sends a first chat request alone, then two concurrent ones (users by header or in the body),
 *    and reads each streamed answer to the end;
 * 4. checks at the receiver that each request gave its own trace: a Basalt root span and a
 *    `generation` child carrying that request's user id, exported with `authorization: Bearer <key>`;
 *    and that the server's first request is traced like the next ones (`registerBasalt()` in
 *    instrumentation.ts): its root is a child of Next.js's request span, in a tree of the same shape.
 *
 * Every wait is bounded; the server is stopped whatever happens. Exits non-zero with the reason.
 *
 *   node_modules/.bin/tsx test/nextjs/check.ts   (after the app is built: see .ci/nextjs)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect, fail, passed, sleep } from '../helpers/checks.js';
import { type OpenAIServer, startOpenAIServer } from '../helpers/openai-server.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { checkEdgeRoute } from './edge-route.js';

const APP = join(import.meta.dirname, '..', '..', 'examples', 'nextjs');
const NEXT_BIN = join(APP, 'node_modules', 'next', 'dist', 'bin', 'next');
const API_KEY = 'test-key';
const MODEL = 'gpt-4o-mini';
const USERS = [
  // Sent alone, as the server's first request; the two others are sent together afterwards.
  { id: 'user-first-1', name: 'Fay First', via: 'header' },
  { id: 'user-header-42', name: 'Ada Header', via: 'header' },
  { id: 'user-body-7', name: 'Bob Body', via: 'body' },
] as const;

const READY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SPANS_TIMEOUT_MS = 20_000;
const WATCHDOG_MS = 150_000;

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') fail('could not pick a free port');
  return address.port;
}

/** The environment of the app: the test's servers, and nothing Basalt- or OTel-related inherited. */
function appEnv(receiver: OtlpReceiver, openai: OpenAIServer): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(BASALT_|OTEL_|OPENAI_|NEXT_|__NEXT)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    BASALT_API_KEY: API_KEY,
    BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    BASALT_LOG_LEVEL: 'warn',
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_API_KEY: 'openai-test-key',
    OPENAI_MODEL: MODEL,
  };
}

interface RunningApp {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

async function startApp(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Its own process group, so that stopping it stops anything it started.
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: APP,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (exited) return;
      signal('SIGTERM');
      const stopped = await Promise.race([exit.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) {
        signal('SIGKILL');
        await Promise.race([exit, sleep(2_000)]);
      }
    },
  };
}

/** Resolves once the app answers HTTP at all; fails when it exits or after the timeout. */
async function waitUntilReady(app: RunningApp): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      fail(`next start exited (${app.child.exitCode ?? app.child.signalCode}) before it was ready`);
    }
    try {
      // GET on a POST-only route: any answer (405) means the server is up.
      await fetch(`${app.url}/api/chat`, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await sleep(250);
    }
  }
  fail(`next start did not answer within ${READY_TIMEOUT_MS} ms`);
}

function replyFor(prompt: string): string {
  return `Echo: ${prompt}. Have a good day.`;
}

/** POSTs one chat request and reads the streamed answer to its end. */
async function chat(app: RunningApp, user: (typeof USERS)[number]): Promise<{ status: number; text: string }> {
  const prompt = `Hello, I am ${user.id}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const body: Record<string, unknown> = { prompt };
  if (user.via === 'header') {
    headers['x-user-id'] = user.id;
    headers['x-user-name'] = user.name;
  } else {
    body.userId = user.id;
    body.userName = user.name;
  }
  const response = await fetch(`${app.url}/api/chat`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

interface UserTrace {
  root: ReceivedSpan;
  generation: ReceivedSpan;
  spans: ReceivedSpan[];
}

/** The root of `userId`'s trace and its generation child, once both arrived. */
function findTrace(spans: ReceivedSpan[], userId: string): UserTrace | undefined {
  const root = spans.find((s) => s.attributes['basalt.root'] === true && s.attributes['basalt.user.id'] === userId);
  if (!root) return undefined;
  const inTrace = spans.filter((s) => s.traceId === root.traceId);
  const generation = inTrace.find((s) => s.attributes['basalt.span.kind'] === 'generation');
  return generation ? { root, generation, spans: inTrace } : undefined;
}

/** Whether both users' traces arrived (root and generation) within the timeout. */
async function waitForTraces(receiver: OtlpReceiver): Promise<boolean> {
  const deadline = Date.now() + SPANS_TIMEOUT_MS;
  for (;;) {
    if (USERS.every((user) => findTrace(receiver.spans, user.id))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

function describeSpans(spans: ReceivedSpan[]): string {
  if (spans.length === 0) return '  (no span received)';
  return spans
    .map(
      (s) =>
        `  ${s.traceId.slice(0, 8)} ${s.spanId.slice(0, 8)} parent=${s.parentSpanId?.slice(0, 8) ?? '-'} ${s.name} ` +
        JSON.stringify({
          root: s.attributes['basalt.root'],
          kind: s.attributes['basalt.span.kind'],
          user: s.attributes['basalt.user.id'],
        }),
    )
    .join('\n');
}

function checkTraces(receiver: OtlpReceiver, openai: OpenAIServer): void {
  const chatCalls = openai.requests.filter((r) => r.path.startsWith('/v1/chat/completions'));
  expect(chatCalls.length === USERS.length, `the fake OpenAI server got ${USERS.length} chat completions requests`);
  expect(
    chatCalls.every((r) => (r.body as { stream?: boolean } | undefined)?.stream === true),
    'the model was called with stream: true (streamText)',
  );
  expect(
    chatCalls.every((r) => !JSON.stringify(r.body).includes('basalt')),
    'providerOptions.basalt never reached the provider',
  );

  const traceIds = new Set<string>();
  for (const user of USERS) {
    const trace = findTrace(receiver.spans, user.id);
    if (!trace) {
      fail(
        `no root span with basalt.user.id=${user.id} and a generation span in its trace within ${SPANS_TIMEOUT_MS} ms; received:\n${describeSpans(receiver.spans)}`,
      );
    }
    const { root, generation, spans } = trace;
    traceIds.add(root.traceId);
    const label = `[${user.id}, via ${user.via}]`;
    expect(root.attributes['basalt.root'] === true, `${label} root span has basalt.root=true`);
    expect(
      root.attributes['basalt.span.kind'] === 'basalt_trace',
      `${label} root span has basalt.span.kind=basalt_trace`,
    );
    expect(root.attributes['basalt.span.feature_slug'] === 'chat', `${label} root span has feature slug "chat"`);
    expect(
      generation.name.startsWith('chat ') && generation.name === `chat ${MODEL}`,
      `${label} generation span is named "chat ${MODEL}" (got "${generation.name}")`,
    );
    expect(generation.traceId === root.traceId, `${label} generation span is in the root's trace`);
    expect(generation.parentSpanId === root.spanId, `${label} generation span is a child of the root`);
    expect(
      generation.attributes['basalt.user.id'] === user.id,
      `${label} generation span has basalt.user.id=${user.id} (got ${String(generation.attributes['basalt.user.id'])})`,
    );
    expect(
      root.attributes['basalt.user.name'] === user.name && generation.attributes['basalt.user.name'] === user.name,
      `${label} root and generation spans have basalt.user.name=${user.name}`,
    );
    expect(
      spans.every((s) => s.attributes['basalt.user.id'] === user.id),
      `${label} every span of the trace carries this request's user id only`,
    );
    const output = String(
      generation.attributes['gen_ai.output.messages'] ?? generation.attributes['basalt.span.output'],
    );
    expect(
      output.includes(replyFor(`Hello, I am ${user.id}`)),
      `${label} generation span recorded the whole streamed answer`,
    );
    expect(root.resource['basalt.sdk.type'] === 'nodejs', `${label} resource has basalt.sdk.type=nodejs`);
    expect(
      root.resource['service.name'] === 'nextjs-chat-example',
      `${label} resource has the service name set in lib/basalt.ts`,
    );
  }
  expect(traceIds.size === USERS.length, `the ${USERS.length} requests gave ${USERS.length} distinct traces`);
  checkFirstRequest(receiver);
  expect(receiver.requests.length > 0, 'the receiver got at least one OTLP/HTTP export');
  expect(
    receiver.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`),
    `every export carried authorization: Bearer ${API_KEY}`,
  );
  expect(
    receiver.requests.every((r) => r.path === '/v1/traces'),
    'every export went to the configured /v1/traces endpoint',
  );
}

/** A trace's shape: each span's depth under the root, Basalt kind and name, ids left out. */
function shape(trace: UserTrace): string[] {
  const depth = (span: ReceivedSpan): number => {
    const parent = trace.spans.find((s) => s.spanId === span.parentSpanId);
    return parent ? depth(parent) + 1 : 0;
  };
  return trace.spans.map((s) => `${depth(s)} ${String(s.attributes['basalt.span.kind'])} ${s.name}`).sort();
}

/**
 * The server's first request is traced like the next ones (#12.2): without `registerBasalt()`,
 * tracing started on the first Basalt span, after Next.js had started that request's span with no
 * provider, so the first root had no parent and the later ones did.
 */
function checkFirstRequest(receiver: OtlpReceiver): void {
  const [first, second] = USERS.map((user) => findTrace(receiver.spans, user.id) as UserTrace);
  if (!first || !second) fail('the first two traces are missing');
  expect(
    first.root.parentSpanId !== undefined && second.root.parentSpanId !== undefined,
    `the first request's root is a child of Next.js's request span, like the second's (parents ${first.root.parentSpanId ?? 'none'} and ${second.root.parentSpanId ?? 'none'})`,
  );
  expect(
    JSON.stringify(shape(first)) === JSON.stringify(shape(second)),
    `the first request's trace has the same shape as the second's (${shape(first).join(', ')} | ${shape(second).join(', ')})`,
  );
}

/**
 * Node looks for a package in every `node_modules` above the importing file, so inside this
 * repository a dependency missing from the app would silently load from the repository's own
 * node_modules. Check that basalt-observe and what it needs resolve inside the app, as in a user's.
 */
function checkSelfContained(): void {
  const appModules = realpathSync(join(APP, 'node_modules'));
  const manifest = join(appModules, 'basalt-observe', 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    version: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  const required = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}).filter((name) => !pkg.peerDependenciesMeta?.[name]?.optional),
  ];
  const lookup = createRequire(manifest).resolve.paths('x') ?? [];
  const outside = required.filter((name) => {
    const dir = lookup.map((base) => join(base, name)).find((candidate) => existsSync(join(candidate, 'package.json')));
    return !dir || !realpathSync(dir).startsWith(`${appModules}/`);
  });
  expect(
    outside.length === 0,
    `basalt-observe ${pkg.version} and its ${required.length} dependencies resolve inside examples/nextjs/node_modules${outside.length ? ` (not: ${outside.join(', ')})` : ''}`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(APP, '.next', 'BUILD_ID'))) fail(`${APP} is not built: run .ci/nextjs (or next build) first`);
  if (!existsSync(join(APP, 'node_modules', 'basalt-observe', 'package.json'))) {
    fail('basalt-observe is not installed in examples/nextjs: run .ci/nextjs');
  }
  checkSelfContained();

  const openai = await startOpenAIServer({
    replies: (request) => {
      const messages = (request.body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? [];
      const last = messages.at(-1)?.content;
      const prompt = typeof last === 'string' ? last : JSON.stringify(last);
      return { type: 'text', text: replyFor(prompt), usage: { promptTokens: 12, completionTokens: 8 } };
    },
    chunkDelayMs: 10,
  });
  const receiver = await startOtlpReceiver({ protocol: 'http' });
  let app: RunningApp | undefined;
  const started = Date.now();
  try {
    app = await startApp(appEnv(receiver, openai));
    running = app;
    await waitUntilReady(app);
    console.log(`next start is up at ${app.url} after ${Date.now() - started} ms`);

    const [firstUser, ...others] = USERS;
    const firstAnswer = await chat(app, firstUser);
    const answers = [firstAnswer, ...(await Promise.all(others.map((user) => chat(app as RunningApp, user))))];
    answers.forEach((answer, i) => {
      const user = USERS[i]!;
      expect(answer.status === 200, `[${user.id}] POST /api/chat answered 200 (got ${answer.status})`);
      const expected = replyFor(`Hello, I am ${user.id}`);
      expect(
        answer.text === expected,
        `[${user.id}] the streamed answer was read in full (got ${JSON.stringify(answer.text)})`,
      );
    });

    const answered = Date.now();
    if (await waitForTraces(receiver)) {
      console.log(`both traces were at the receiver ${Date.now() - answered} ms after the answers were read`);
    }
    console.log(`spans received (trace, span, parent, name):\n${describeSpans(receiver.spans)}`);
    checkTraces(receiver, openai);
    await checkEdgeRoute(APP, app.url, receiver, replyFor('Hello, I am user-edge-9'));
    const logged = app
      .output()
      .split('\n')
      .filter((line) => line.includes('[basalt]'));
    expect(
      logged.length === 0,
      `basalt-observe logged no warning or error${logged.length ? ` (got: ${logged.join(' | ')})` : ''}`,
    );
    expect(!app.output().includes(API_KEY), 'the server output never shows the Basalt API key');
    console.log(`nextjs example: all ${passed()} checks passed (${receiver.spans.length} spans received)`);
  } catch (error) {
    if (app) console.error(`--- next start output ---\n${app.output()}\n--- end of output ---`);
    throw error;
  } finally {
    await app?.stop();
    await receiver.close();
    await openai.close();
  }
}

/** The app being checked, so that a watchdog or a signal can still stop it. */
let running: RunningApp | undefined;

function abort(reason: string): never {
  console.error(`FAIL nextjs example: ${reason}`);
  if (running?.child.pid !== undefined) {
    try {
      process.kill(-running.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  process.exit(1);
}

const watchdog = setTimeout(() => abort(`the check did not finish within ${WATCHDOG_MS} ms`), WATCHDOG_MS);
for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => abort(`stopped by ${name}`));

main().then(
  () => {
    clearTimeout(watchdog);
    process.exit(0);
  },
  (error: unknown) => {
    clearTimeout(watchdog);
    console.error(`FAIL nextjs example: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
