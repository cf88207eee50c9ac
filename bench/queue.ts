import { startObserve } from 'basalt-observe';
import type { BasaltSink } from './ai-sdk.js';
import { FEATURE } from './ai-sdk.js';
import { countingProvider } from './fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface QueueResult {
  spans: number;
  seconds: number;
  basaltDropped: number;
  otelDropped: number;
}

/**
 * Sustained load on the export queue with an exporter that answers at once: `bursts` bursts of
 * `burst` spans every `everyMs` ms, as a busy server ends spans. The same load goes through Basalt's
 * queue and through OpenTelemetry's BatchSpanProcessor (both 2,048 spans of queue, batches of 512);
 * the spans each one dropped are counted.
 */
export async function benchQueue(
  sink: BasaltSink,
  bursts: number,
  burst: number,
  everyMs: number,
): Promise<QueueResult> {
  await sink.basalt.flush();
  const droppedBefore = sink.basalt.stats().droppedQueueFull;
  const start = process.hrtime.bigint();
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < burst; i++) startObserve({ name: 'request', featureSlug: FEATURE }).end();
    await sleep(everyMs);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await sink.basalt.flush();
  const basaltDropped = sink.basalt.stats().droppedQueueFull - droppedBefore;

  const otel = countingProvider();
  const tracer = otel.provider.getTracer('bench');
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < burst; i++) tracer.startSpan('request').end();
    await sleep(everyMs);
  }
  await otel.provider.forceFlush();
  const otelDropped = bursts * burst - otel.exporter.spans;
  await otel.provider.shutdown();
  return { spans: bursts * burst, seconds, basaltDropped, otelDropped };
}
