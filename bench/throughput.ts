import type { Basalt } from 'basalt-observe';
import { oneTrace } from './export.js';

/** Spans of one `oneTrace` (a root and 4 children, as bench/export.ts makes them). */
const SPANS_PER_TRACE = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BurstResult {
  spans: number;
  endMs: number;
  deliveredMs: number;
  dropped: number;
  failed: number;
  exported: number;
}

/**
 * A burst to a healthy collector (#14): `spans` spans ended in one go (no await between them, so no
 * export starts before the last one ends), with the client's default queue settings; then, without
 * a flush, how long until the queue's own exports delivered them, and how many were dropped.
 */
export async function benchBurst(basalt: Basalt, spans: number): Promise<BurstResult> {
  await basalt.flush();
  const before = basalt.stats();
  const start = performance.now();
  for (let i = 0; i < spans / SPANS_PER_TRACE; i++) oneTrace(i);
  const endMs = performance.now() - start;
  const settled = () => {
    const s = basalt.stats();
    return (
      s.exported +
      s.droppedQueueFull +
      s.failedExports -
      before.exported -
      before.droppedQueueFull -
      before.failedExports
    );
  };
  for (const until = Date.now() + 15_000; settled() < spans && Date.now() < until; ) await sleep(5);
  const deliveredMs = performance.now() - start;
  const after = basalt.stats();
  return {
    spans,
    endMs,
    deliveredMs,
    dropped: after.droppedQueueFull - before.droppedQueueFull,
    failed: after.failedExports - before.failedExports,
    exported: after.exported - before.exported,
  };
}

export interface RateResult {
  rate: number;
  achieved: number;
  seconds: number;
  dropped: number;
  failed: number;
  /** CPU µs of this process per span produced and exported. */
  cpuPerSpan: number;
}

/**
 * A producer at a fixed rate (spans/s) for `seconds`: every 10 ms it ends the traces that bring it
 * back on schedule (5 spans each). Then a flush, and the drops and failures of that window.
 */
async function atRate(basalt: Basalt, rate: number, seconds: number): Promise<RateResult> {
  await basalt.flush();
  const before = basalt.stats();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let traces = 0;
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    const due = Math.floor((elapsed * rate) / SPANS_PER_TRACE);
    // At most 50 ms of work per turn, so a producer that cannot keep up does not starve the exports.
    const batch = Math.min(due - traces, Math.ceil((rate * 0.05) / SPANS_PER_TRACE));
    for (let i = 0; i < batch; i++) oneTrace(traces + i);
    traces += Math.max(0, batch);
    await sleep(10);
  }
  const wall = (performance.now() - start) / 1000;
  await basalt.flush();
  const used = process.cpuUsage(cpu);
  const after = basalt.stats();
  const spans = traces * SPANS_PER_TRACE;
  return {
    rate,
    achieved: spans / wall,
    seconds: wall,
    dropped: after.droppedQueueFull - before.droppedQueueFull,
    failed: after.failedExports - before.failedExports,
    cpuPerSpan: (used.user + used.system) / Math.max(1, spans),
  };
}

/**
 * Sustained throughput without drops: the producer at rising fixed rates, `seconds` each, until one
 * drops a span, fails an export, or the producer itself falls behind its rate by more than 5 %
 * (then the machine, not the queue, is the limit). Returns every rate tried.
 */
export async function benchSustained(basalt: Basalt, rates: number[], seconds: number): Promise<RateResult[]> {
  const results: RateResult[] = [];
  for (const rate of rates) {
    const result = await atRate(basalt, rate, seconds);
    results.push(result);
    if (result.dropped > 0 || result.failed > 0 || result.achieved < rate * 0.95) break;
  }
  return results;
}
