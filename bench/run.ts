/**
 * `npm run bench`: the overhead of basalt-observe on the AI SDK and LangChain.js, next to the AI
 * SDK's own OpenTelemetry integration and Langfuse's LangChain handler, the heap over 100k calls,
 * and spans/s through the OTLP exporter. Prints one Markdown table; see docs/benchmarks.md.
 * `BENCH_QUICK=1` runs every section with a tenth of the iterations (a smoke run, not for numbers).
 *
 * `npm run bench` first builds the package (tsup, ESM, into node_modules/.cache/basalt-bench) and
 * maps `basalt-observe*` to that build (bench/tsconfig.json), so the numbers are those of the code
 * users run: through tsx, src keeps function names (esbuild `keepNames`), which costs ~0.8 µs per
 * `serialize()` call alone.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Basalt } from 'basalt-observe';
import {
  type BasaltSink,
  benchChunks,
  benchContextCost,
  benchGenerate,
  benchStream,
  countPromptSerializations,
} from './ai-sdk.js';
import { benchRunHeap, benchRunnerOverhead, runnerRows } from './experiments.js';
import { benchExport, resetTracing } from './export.js';
import { CountingExporter } from './fixtures.js';
import { formatTable, type Measured, type Plan, type Row } from './harness.js';
import { benchHeap } from './heap.js';
import { benchImports } from './import-cost.js';
import { benchLangChain } from './langchain.js';

const PACKAGE_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

import { benchQueue } from './queue.js';
import {
  chunkRows,
  contextRows,
  exportRow,
  heapRow,
  langChainRows,
  overheadRows,
  queueRow,
  TARGET_CHUNK_US,
  TARGET_OVERHEAD_US,
} from './rows.js';
import { burstRow, contentRow, importRows, sustainedRow, withExportRows } from './rows-export.js';
import { startSinkProcess } from './sink-process.js';
import { benchBurst, benchSustained } from './throughput.js';
import { benchGenerateWithExport } from './with-export.js';

const QUICK = process.env.BENCH_QUICK === '1';
const scale = (n: number) => (QUICK ? Math.max(1, Math.ceil(n / 10)) : n);
const plan = (p: Plan): Plan => ({ ...p, batches: scale(p.batches), warmup: scale(p.warmup) });

const PLANS = {
  contextGenerate: plan({ rounds: 9, batches: 10, batchSize: 100, warmup: 1000 }),
  contextStream: plan({ rounds: 9, batches: 3, batchSize: 10, warmup: 30 }),
  generate: plan({ rounds: 9, batches: 20, batchSize: 100, warmup: 2000 }),
  // Many short rounds: a 100-chunk streamText takes ~6–7 ms, and pairing inside short rounds
  // cancels more of the machine's drift than a few long ones.
  stream: plan({ rounds: 21, batches: 3, batchSize: 20, warmup: 100 }),
  chunks: plan({ rounds: 9, batches: 5, batchSize: 20, warmup: 100 }),
  langchain: plan({ rounds: 9, batches: 10, batchSize: 100, warmup: 1000 }),
  // One flush per timed batch of 100 calls: 2 spans a call make 200 spans, under one export batch.
  withExport: plan({ rounds: 9, batches: 10, batchSize: 100, warmup: 1000 }),
};
const BURST_SPANS = 10_000;
const SUSTAINED_RATES = QUICK ? [10_000, 40_000] : [10_000, 20_000, 40_000, 60_000, 80_000, 120_000, 160_000];
const SUSTAINED_SECONDS = QUICK ? 1 : 2.5;
const IMPORT_REPS = QUICK ? 3 : 7;
const HEAP_CALLS = scale(100_000);
const STREAM_HEAP_CALLS = scale(20_000);
const EXPORT_TRACES = scale(20_000);
const RUN_ITEMS = scale(1_000);
const RUN_HEAP_ITEMS = scale(10_000);
const STREAM_CHUNKS = 100;
const CHUNKS_SHORT = 10;
const CHUNKS_LONG = 1000;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function machine(loadAtStart: string): string[] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const version = (name: string) =>
    (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  return [
    `node ${process.version} on ${process.platform}/${process.arch}; CPU ${model}${mhz ? ` @ ${mhz} MHz` : ''}, ${cpus().length} logical CPUs`,
    `ai ${version('ai')}, @ai-sdk/otel ${version('@ai-sdk/otel')}, @langchain/core ${version('@langchain/core')}, @langfuse/langchain ${version('@langfuse/langchain')}, @langfuse/vercel-ai-sdk ${version('@langfuse/vercel-ai-sdk')}, @langfuse/otel ${version('@langfuse/otel')}, @opentelemetry/sdk-trace-base ${version('@opentelemetry/sdk-trace-base')}`,
    `package under test: basalt-observe ${PACKAGE_VERSION}, ESM build of the current src (tsup)`,
    `load average at start ${loadAtStart}, at end ${load()} (other processes on the machine add noise: see the ± columns)`,
    `gc exposed: ${typeof (globalThis as { gc?: unknown }).gc === 'function'}${QUICK ? '; BENCH_QUICK=1 (smoke run, numbers not meaningful)' : ''}`,
  ];
}

async function section<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  process.stderr.write(`… ${name}`);
  const result = await work();
  process.stderr.write(` ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
  return result;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = load();
  const exporter = new CountingExporter();
  // A custom exporter (no local-mode trace file, nothing printed), the package's own provider and queue.
  const basalt = new Basalt({ logLevel: 'warn', telemetry: { exporter } });
  const sink: BasaltSink = { basalt, exporter };
  const rows: Row[] = [];

  // First, while no AsyncLocalStorage has been entered yet in this process.
  const contextGenerate = await section('AsyncLocalStorage cost, generateText', () =>
    benchContextCost('generate', 1, PLANS.contextGenerate),
  );
  const contextStream = await section('AsyncLocalStorage cost, streamText', () =>
    benchContextCost('stream', STREAM_CHUNKS, PLANS.contextStream),
  );
  rows.push(...contextRows(contextGenerate, contextStream, STREAM_CHUNKS));
  const generate: Measured = await section('generateText', () => benchGenerate(sink, PLANS.generate));
  rows.push(...overheadRows('generateText', generate, { overheadTargetUs: TARGET_OVERHEAD_US }));
  const stream = await section(`streamText (${STREAM_CHUNKS} chunks)`, () =>
    benchStream(sink, STREAM_CHUNKS, PLANS.stream),
  );
  rows.push(...overheadRows(`streamText, ${STREAM_CHUNKS} chunks`, stream, {}));
  const chunks = await section('per chunk (doStream)', () => benchChunks(CHUNKS_SHORT, CHUNKS_LONG, PLANS.chunks));
  rows.push(...chunkRows(stream, STREAM_CHUNKS, chunks, CHUNKS_SHORT, CHUNKS_LONG, TARGET_CHUNK_US));
  const chain = await section('LangChain', () => benchLangChain(sink, PLANS.langchain));
  rows.push(...langChainRows(chain));
  const heap = await section(`heap, ${HEAP_CALLS.toLocaleString('en-US')} generateText`, () =>
    benchHeap(sink, HEAP_CALLS, 'generate'),
  );
  rows.push(heapRow('generateText through the middleware (opens the root)', heap));
  const streamHeap = await section(`heap, ${STREAM_HEAP_CALLS.toLocaleString('en-US')} streams`, () =>
    benchHeap(sink, STREAM_HEAP_CALLS, 'stream'),
  );
  rows.push(heapRow('doStream (10 chunks) through the middleware (opens the root)', streamHeap));
  const runner = await section('experiments.run overhead', () => benchRunnerOverhead(sink, RUN_ITEMS, QUICK ? 3 : 15));
  const runHeap = await section(`heap, experiments.run of ${RUN_HEAP_ITEMS.toLocaleString('en-US')} items`, () =>
    benchRunHeap(sink, RUN_HEAP_ITEMS),
  );
  rows.push(...runnerRows(runner, runHeap));
  const queue = await section('export queue', () => benchQueue(sink, 40, 250, 50));
  rows.push(queueRow(queue));
  rows.push(contentRow(await countPromptSerializations(sink)));
  await resetTracing(basalt);

  // Export included: every contestant sends OTLP/HTTP to a receiver in another process.
  const receiver = await startSinkProcess();
  const withExport = await section('generateText with export', () =>
    benchGenerateWithExport(receiver, PLANS.withExport),
  );
  rows.push(...withExportRows(withExport));
  const burst = await section(`burst of ${BURST_SPANS.toLocaleString('en-US')} spans`, () =>
    benchBurst(withExport.basalt, BURST_SPANS),
  );
  rows.push(burstRow(burst, '20,480 spans or 16 MiB of estimated encoded spans, queued and in flight'));
  const sustained = await section('sustained rates', () =>
    benchSustained(withExport.basalt, SUSTAINED_RATES, SUSTAINED_SECONDS),
  );
  rows.push(sustainedRow(sustained));
  await resetTracing(withExport.basalt);
  await receiver.close();

  const exported = await section('OTLP export, flush-bound', () => benchExport(EXPORT_TRACES));
  rows.push(exportRow(exported));
  const imports = await section('import cost', () => benchImports(IMPORT_REPS));
  rows.push(...importRows(imports));

  console.log(machine(loadAtStart).join('\n'));
  console.log(`plans: ${JSON.stringify(PLANS)}`);
  console.log('');
  console.log(formatTable(rows));
  console.log('');
  console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
