import { generateText } from 'ai';
import type { DatasetRow } from 'basalt-observe';
import { type BasaltSink, CALL_OPTIONS, FEATURE, mockModels } from './ai-sdk.js';
import { collectGarbage, fmt, median, type Row, tick, verdict } from './harness.js';

/** Runner overhead per item over a bare bounded loop doing the same task (#13). */
export const TARGET_RUNNER_US = 50;
/** Heap kept per item of a run: its result (item, output, key, numbers), never its spans. */
export const TARGET_RUN_BYTES_PER_ITEM = 2048;

const CONCURRENCY = 4;
const EXPERIMENT = { id: 'local-bench', name: 'bench', featureSlug: FEATURE };

const rows = (n: number): DatasetRow[] =>
  Array.from({ length: n }, (_, i) => ({ values: { ticket: `Order #${i} has not arrived` }, idealOutput: 'shipping' }));

/** At most `limit` at once over `items`: the loop a user writes by hand (`Promise.all` of `limit` workers). */
async function boundedLoop<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  const results: unknown[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

export interface RunnerOverhead {
  items: number;
  /** µs per item, one entry per round. */
  runner: number[];
  bare: number[];
}

/**
 * The same task (one call of a mock model through `basaltMiddleware`, `doGenerate` as the AI SDK
 * calls it: a `generateText` around it would add ~100 µs of the SDK's own work per item, and its
 * noise, to both sides), `items` items with concurrency 4: through `experiments.run` (no file, no
 * progress bar), and through a bare bounded loop, where the middleware opens the root itself, so
 * both sides record a root and a generation per item. Rounds alternate the order; the overhead is
 * the median of the paired differences.
 */
export async function benchRunnerOverhead(sink: BasaltSink, items: number, rounds: number): Promise<RunnerOverhead> {
  const { wrapped, clear } = mockModels(1);
  const data = rows(items);
  const task = async (_row: DatasetRow) => (await wrapped.doGenerate(CALL_OPTIONS)).content;
  const viaRunner = () =>
    sink.basalt.experiments.run({
      experiment: EXPERIMENT,
      name: 'bench',
      data,
      task,
      concurrency: CONCURRENCY,
      save: false,
      progress: false,
    });
  const viaLoop = () => boundedLoop(data, CONCURRENCY, task);
  const timed = async (run: () => Promise<unknown>) => {
    const start = process.hrtime.bigint();
    await run();
    const us = Number(process.hrtime.bigint() - start) / 1000 / items;
    clear();
    await sink.basalt.flush();
    await tick();
    return us;
  };
  await timed(viaRunner);
  await timed(viaLoop);
  const result: RunnerOverhead = { items, runner: [], bare: [] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      result.runner.push(await timed(viaRunner));
      result.bare.push(await timed(viaLoop));
    } else {
      result.bare.push(await timed(viaLoop));
      result.runner.push(await timed(viaRunner));
    }
  }
  return result;
}

export interface RunHeap {
  items: number;
  /** heapUsed after GC before the run, then after each quarter of the items. */
  checkpoints: number[];
  resultsKept: number;
  spansExported: number;
  dropped: number;
}

/**
 * One run of `items` items (an async iterable, so the run can be observed from inside): heapUsed
 * after a full GC before it and after each quarter, with the run's spans flushed there. What grows
 * is what the run keeps, its results; spans are exported and let go.
 */
export async function benchRunHeap(sink: BasaltSink, items: number): Promise<RunHeap> {
  const { wrapped, clear } = mockModels(1);
  const checkpoints: number[] = [];
  const heap = async () => {
    clear();
    await sink.basalt.flush();
    await tick();
    collectGarbage();
    return process.memoryUsage().heapUsed;
  };
  const exportedBefore = sink.exporter.spans;
  const droppedBefore = sink.basalt.stats().droppedQueueFull;
  async function* data(): AsyncGenerator<DatasetRow> {
    for (let i = 0; i < items; i++) {
      if (i % 250 === 0) await sink.basalt.flush();
      if (i % (items / 4) === 0) checkpoints.push(await heap());
      yield { values: { ticket: `Order #${i} has not arrived` }, idealOutput: 'shipping' };
    }
  }
  const run = await sink.basalt.experiments.run({
    experiment: EXPERIMENT,
    name: 'bench heap',
    data: data(),
    task: async (row) => (await generateText({ model: wrapped, prompt: String(row.values.ticket) })).text,
    concurrency: CONCURRENCY,
    save: false,
    progress: false,
  });
  checkpoints.push(await heap());
  return {
    items,
    checkpoints,
    resultsKept: run.results.length,
    spansExported: sink.exporter.spans - exportedBefore,
    dropped: sink.basalt.stats().droppedQueueFull - droppedBefore,
  };
}

export function runnerRows(overhead: RunnerOverhead, heap: RunHeap): Row[] {
  const diffs = overhead.runner.map((r, i) => r - (overhead.bare[i] ?? Number.NaN));
  const perItem = median(diffs);
  const first = heap.checkpoints[1] ?? 0;
  const last = heap.checkpoints.at(-1) ?? 0;
  // From the first quarter on: the baseline before it includes loading the runner and warming up.
  const bytesPerItem = (last - first) / (heap.items * 0.75);
  const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 2);
  return [
    {
      scenario: `experiments.run: overhead per item over a bare Promise.all loop (concurrency ${CONCURRENCY}, ${overhead.items.toLocaleString('en-US')} items, a mock model call through the middleware)`,
      value: `${fmt(perItem)} µs`,
      detail: `runner ${fmt(median(overhead.runner))} µs/item, bare loop ${fmt(median(overhead.bare))} µs/item; median of ${diffs.length} paired rounds`,
      target: `≤ ${TARGET_RUNNER_US} µs`,
      verdict: verdict(perItem <= TARGET_RUNNER_US),
    },
    {
      scenario: `heapUsed after GC, one experiments.run of ${heap.items.toLocaleString('en-US')} items (mock model)`,
      value: `${mb(heap.checkpoints[0] ?? 0)} → ${mb(last)} MB`,
      detail: `${fmt(bytesPerItem, 0)} B/item kept from the first quarter on (its result); every quarter: ${heap.checkpoints.map(mb).join(', ')} MB; ${heap.resultsKept.toLocaleString('en-US')} results kept, ${heap.spansExported.toLocaleString('en-US')} spans exported, ${heap.dropped} dropped`,
      target: `results only: ≤ ${TARGET_RUN_BYTES_PER_ITEM} B/item`,
      verdict: verdict(bytesPerItem <= TARGET_RUN_BYTES_PER_ITEM && heap.dropped === 0),
    },
  ];
}
