/**
 * What any LangChain callback handler costs before its first line: the bench chain
 * (`prompt | FakeListChatModel | parser`) invoked bare, with a handler whose callbacks do nothing
 * (awaited, as ours is, and in LangChain's background queue, as Langfuse's is), with
 * `BasaltCallbackHandler`, and with Langfuse's `CallbackHandler` (docs/benchmarks.md, "LangChain").
 * Runs on the package build `npm run bench` makes:
 *
 *   npm run bench    # once: builds the package into node_modules/.cache/basalt-bench
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/langchain-pieces.ts
 *
 * With BENCH_ONLY=1 (the awaited no-op handler) or BENCH_ONLY=3 (ours) and `--cpu-prof`, one variant
 * runs alone for 6 s: the two profiles docs/benchmarks.md compares.
 *
 * Rounds of 50 invokes, each settled with `awaitAllCallbacks()`, the variants interleaved; the median
 * over 25 rounds is printed as overhead over bare. A second instance of ours has its callbacks timed
 * (hrtime around each): the time inside them is printed next to its overhead.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { CallbackHandler } from '@langfuse/langchain';
import { setLangfuseTracerProvider } from '@langfuse/tracing';
import { Basalt, startObserve } from 'basalt-observe';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import { FEATURE, IDENTITY } from './ai-sdk.js';
import { CountingExporter, countingProvider } from './fixtures.js';

const ROUNDS = 30;
const WARMUP_ROUNDS = 5;
const CALLS = 50;

/** A handler that receives every callback LangChain sends and does nothing with it. */
class NoopHandler extends BaseCallbackHandler {
  name = 'noop';
  constructor(awaited: boolean) {
    super();
    this.awaitHandlers = awaited;
  }
  async handleChainStart() {}
  async handleChainEnd() {}
  async handleChatModelStart() {}
  async handleLLMStart() {}
  async handleLLMEnd() {}
}

const basalt = new Basalt({ logLevel: 'error', telemetry: { exporter: new CountingExporter() } });
startObserve({ name: 'warmup', featureSlug: FEATURE }, () => undefined);
const langfuse = countingProvider();
setLangfuseTracerProvider(langfuse.provider);

const chain = ChatPromptTemplate.fromMessages([
  ['system', 'You are a support assistant. Answer in one line.'],
  ['human', '{question}'],
])
  .pipe(new FakeListChatModel({ responses: ['Your order ships today; you will get a tracking link by email.'] }))
  .pipe(new StringOutputParser());
const input = { question: 'My order #1234 has not arrived yet. What can I do?' };

/**
 * Ours, with the time spent inside its callbacks summed (hrtime around each, everything they call
 * included): how much of our overhead is our own work, and how much LangChain's around it.
 */
const TIMED = 'BasaltCallbackHandler, its callbacks timed';
let insideNs = 0;
let timedInvokes = 0;
function timedHandler(): BasaltCallbackHandler {
  return wrappedHandler((_hook, args, original) => {
    const start = process.hrtime.bigint();
    try {
      return original(...args);
    } finally {
      insideNs += Number(process.hrtime.bigint() - start);
    }
  });
}

type Hook = (...args: unknown[]) => unknown;
const HOOKS = ['handleChainStart', 'handleChainEnd', 'handleChatModelStart', 'handleLLMStart', 'handleLLMEnd'];

/** Ours, each of its five callbacks called through `around` (which calls `original` itself). */
function wrappedHandler(around: (hook: string, args: unknown[], original: Hook) => unknown): BasaltCallbackHandler {
  const handler = new BasaltCallbackHandler({ featureSlug: FEATURE, identity: IDENTITY });
  const target = handler as unknown as Record<string, Hook>;
  for (const hook of HOOKS) {
    const original = target[hook]?.bind(handler) ?? fail(hook);
    target[hook] = (...args: unknown[]) => around(hook, args, original);
  }
  return handler;
}

const variants = new Map<string, BaseCallbackHandler[]>([
  ['bare', []],
  ['a handler doing nothing, awaited (as ours)', [new NoopHandler(true)]],
  ['a handler doing nothing, in the background queue (as Langfuse’s)', [new NoopHandler(false)]],
  ['BasaltCallbackHandler', [new BasaltCallbackHandler({ featureSlug: FEATURE, identity: IDENTITY })]],
  ["Langfuse's CallbackHandler", [new CallbackHandler({ userId: IDENTITY.user.id, sessionId: 'session-1' })]],
  [TIMED, [timedHandler()]],
]);

// BENCH_ONLY=<index of a variant> runs that variant alone for 6 s, for a CPU profile (--cpu-prof).
const only = process.env.BENCH_ONLY;
if (only !== undefined) {
  const [name, callbacks] = [...variants][Number(only)] ?? fail(`no variant ${only}`);
  const until = Date.now() + 6_000;
  let invokes = 0;
  while (Date.now() < until) {
    for (let i = 0; i < CALLS; i++) await chain.invoke(input, { callbacks });
    await awaitAllCallbacks();
    invokes += CALLS;
  }
  console.log(`${name}: ${invokes} invokes, ${(6e6 / invokes).toFixed(1)} µs/invoke`);
  process.exit(0);
}

function fail(message: string): never {
  throw new Error(message);
}

const rounds = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, callbacks] of variants) {
    const insideBefore = insideNs;
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) await chain.invoke(input, { callbacks });
    await awaitAllCallbacks();
    const perCall = ((performance.now() - started) * 1000) / CALLS;
    await langfuse.provider.forceFlush();
    if (round >= WARMUP_ROUNDS) rounds.set(name, [...(rounds.get(name) ?? []), perCall]);
    if (round >= WARMUP_ROUNDS && name === TIMED) timedInvokes += CALLS;
    else if (name === TIMED) insideNs = insideBefore;
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const bare = median(rounds.get('bare') ?? []);
console.log(
  `Node ${process.versions.node}: prompt | FakeListChatModel | parser, bare ${bare.toFixed(1)} µs/invoke; overhead (median)`,
);
for (const [name, values] of rounds) {
  if (name !== 'bare') console.log(`  ${name.padEnd(66)} +${(median(values) - bare).toFixed(1)} µs`);
}
console.log(
  `  ${'of which inside its callbacks (mean, everything they call included)'.padEnd(66)} ${(insideNs / 1000 / timedInvokes).toFixed(1)} µs`,
);
console.log(
  `  ${'our callbacks of one invoke, replayed without LangChain (warm loop)'.padEnd(66)} ${(await replayed()).toFixed(1)} µs`,
);
setLangfuseTracerProvider(null);
await langfuse.provider.shutdown();

/**
 * The callbacks LangChain made to ours in one real invoke, recorded, then replayed on another
 * instance with fresh run ids in a tight loop: what our four spans cost with no LangChain code
 * between them (median µs per invoke over 40 rounds of 500).
 */
async function replayed(): Promise<number> {
  const calls: Array<[string, unknown[]]> = [];
  const recorder = wrappedHandler((hook, args, original) => {
    calls.push([hook, args]);
    return original(...args);
  });
  await chain.invoke(input, { callbacks: [recorder] });
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const runIds = new Set(calls.flatMap(([, args]) => args.filter((arg) => typeof arg === 'string' && UUID.test(arg))));
  const handler = new BasaltCallbackHandler({ featureSlug: FEATURE, identity: IDENTITY }) as unknown as Record<
    string,
    Hook
  >;
  let invoke = 0;
  const perRound: number[] = [];
  for (let round = 0; round < 50; round++) {
    const started = performance.now();
    for (let i = 0; i < 500; i++) {
      const suffix = `-${invoke++}`;
      for (const [hook, args] of calls) {
        handler[hook]?.(...args.map((arg) => (runIds.has(arg) ? `${arg}${suffix}` : arg)));
      }
    }
    if (round >= 10) perRound.push(((performance.now() - started) * 1000) / 500);
    await basalt.flush();
  }
  return median(perRound);
}
