import { generateText } from 'ai';
import { type BasaltSink, CALL_OPTIONS, drain, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';
import { collectGarbage, tick } from './harness.js';

export interface HeapResult {
  /** heapUsed after GC, in bytes: after the warmup, then every `calls / 4` calls. */
  checkpoints: number[];
  calls: number;
  spansExported: number;
  dropped: number;
}

const BATCH = 250;

async function heapUsedAfterGc(sink: BasaltSink): Promise<number> {
  await sink.basalt.flush();
  await tick();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/**
 * heapUsed after a full GC before and during `calls` calls through the middleware, where it opens
 * the root itself (`generateText`, or `doStream` read to the end): anything the middleware kept per
 * call (a span, a closure, a map entry) would show as growth.
 */
export async function benchHeap(sink: BasaltSink, calls: number, path: 'generate' | 'stream'): Promise<HeapResult> {
  const { wrapped, clear } = mockModels(10);
  const call =
    path === 'generate'
      ? () => generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT })
      : async () => drain((await wrapped.doStream(CALL_OPTIONS)).stream);
  const run = async (n: number) => {
    for (let done = 0; done < n; done += BATCH) {
      for (let i = 0; i < BATCH; i++) await call();
      clear();
      await sink.basalt.flush();
    }
  };
  await run(Math.min(10_000, calls / 10));
  const exportedBefore = sink.exporter.spans;
  const droppedBefore = sink.basalt.stats().droppedQueueFull;
  const checkpoints = [await heapUsedAfterGc(sink)];
  for (let quarter = 0; quarter < 4; quarter++) {
    await run(calls / 4);
    checkpoints.push(await heapUsedAfterGc(sink));
  }
  return {
    checkpoints,
    calls,
    spansExported: sink.exporter.spans - exportedBefore,
    dropped: sink.basalt.stats().droppedQueueFull - droppedBefore,
  };
}
