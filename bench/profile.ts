/**
 * One benchmark scenario in a loop, to profile with V8's sampling profiler (docs/benchmarks.md):
 *
 *   npm run bench    # once: builds the package into node_modules/.cache/basalt-bench
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --cpu-prof --cpu-prof-dir=/tmp/prof \
 *     --import tsx bench/profile.ts stream-in-root
 *   node --import tsx bench/profile.ts --top /tmp/prof/<largest file>.cpuprofile
 *
 * Scenarios: generate-in-root, generate-standalone, generate-bare, stream-in-root, stream-bare,
 * chunks (doStream of 1,000 chunks through the middleware), chunks-bare, chain-basalt, chain-bare.
 * A `-export` suffix (generate-in-root-export, …) exports over OTLP/HTTP to a receiver in another
 * process instead of into a counting exporter, so the profile includes encoding and sending.
 */
import { readFileSync } from 'node:fs';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { generateText, streamText } from 'ai';
import { Basalt, startObserve } from 'basalt-observe';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import { CALL_OPTIONS, drain, FEATURE, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';
import { CountingExporter } from './fixtures.js';
import { tick } from './harness.js';
import { type SinkProcess, startSinkProcess } from './sink-process.js';

const SECONDS = 8;

function chainScenario(name: string): () => Promise<unknown> {
  const chain = ChatPromptTemplate.fromMessages([
    ['system', SYSTEM],
    ['human', '{question}'],
  ])
    .pipe(new FakeListChatModel({ responses: ['Your order ships today.'] }))
    .pipe(new StringOutputParser());
  const handler = new BasaltCallbackHandler({ featureSlug: FEATURE });
  const config = name === 'chain-basalt' ? { callbacks: [handler] } : {};
  return () => chain.invoke({ question: PROMPT }, config);
}

function scenario(name: string): { call: () => Promise<unknown>; inRoot: boolean } {
  if (name.startsWith('chain')) return { call: chainScenario(name), inRoot: false };
  const chunks = name.startsWith('chunks') ? 1000 : 100;
  const { mock, wrapped } = mockModels(chunks);
  const model = name.endsWith('bare') ? mock : wrapped;
  const inRoot = name.endsWith('in-root');
  if (name.startsWith('generate'))
    return { call: () => generateText({ model, system: SYSTEM, prompt: PROMPT }), inRoot };
  if (name.startsWith('stream')) {
    return { call: () => drain(streamText({ model, system: SYSTEM, prompt: PROMPT }).textStream), inRoot };
  }
  if (name.startsWith('chunks'))
    return { call: async () => drain((await model.doStream(CALL_OPTIONS)).stream), inRoot };
  throw new Error(`unknown scenario ${name}`);
}

async function loop(scenarioName: string): Promise<void> {
  const exporting = scenarioName.endsWith('-export');
  const name = exporting ? scenarioName.slice(0, -'-export'.length) : scenarioName;
  const exporter = new CountingExporter();
  const sink: SinkProcess | undefined = exporting ? await startSinkProcess() : undefined;
  const basalt = sink
    ? new Basalt({ apiKey: 'bench-key', logLevel: 'error', telemetry: { endpoint: `${sink.base}/v1/traces` } })
    : new Basalt({ logLevel: 'error', telemetry: { exporter } });
  // Every scenario runs with Basalt's tracing started and its AsyncLocalStorage entered once, as in
  // bench/run.ts: on Node 20 that turns on async_hooks promise hooks for the whole process, so the
  // bare scenarios pay the same process-wide context cost as the instrumented ones.
  startObserve({ name: 'warmup', featureSlug: FEATURE }, () => undefined);
  const { call, inRoot } = scenario(name);
  const until = Date.now() + SECONDS * 1000;
  let calls = 0;
  while (Date.now() < until) {
    const root = inRoot ? startObserve({ name: 'request', featureSlug: FEATURE }) : undefined;
    const batch = async () => {
      for (let i = 0; i < 50; i++) await call();
    };
    await (root ? root.run(batch) : batch());
    root?.end();
    calls += 50;
    await basalt.flush();
    await tick();
  }
  const exported = sink ? basalt.stats().exported : exporter.spans;
  console.log(`${scenarioName}: ${calls} calls in ${SECONDS} s, ${exported} spans exported`);
  await basalt.shutdown();
  await sink?.close();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Self time by function, from a `.cpuprofile` (sample counts × sampling interval). */
function top(file: string, limit = 40): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const where = frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/main\//, '');
    const key = `${frame.functionName || '(anonymous)'}  ${where}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
}

const [arg, file] = process.argv.slice(2);
if (arg === '--top' && file) top(file);
else
  loop(arg ?? 'stream-in-root').then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
