import { ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { BasaltSpanProcessor } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

/** Records every span, but samples (exports) only the ones named `sampled…`. */
const recordAll: Sampler = {
  shouldSample: (_context, _traceId, name) => ({
    decision: name.startsWith('sampled') ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.RECORD,
  }),
  toString: () => 'RecordAllSampleSome',
};

const opened: Array<{ shutdown(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.shutdown()));
  await resetTracing();
});

function providerWith(processor: BasaltSpanProcessor, sampler?: Sampler): BasicTracerProvider {
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor] });
  opened.push(provider);
  return provider;
}

describe('BasaltSpanProcessor › onEnd', () => {
  it('exports a sampled span and not a span a sampler only recorded', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new BasaltSpanProcessor({ exporter, onlyBasaltSpans: false, logLevel: 'silent' });
    const tracer = providerWith(processor, recordAll).getTracer('app');

    const recorded = tracer.startSpan('recorded-only');
    expect(recorded.isRecording()).toBe(true);
    recorded.end();
    tracer.startSpan('sampled').end();
    await processor.forceFlush();

    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['sampled']);
    expect(processor.stats).toEqual({ exported: 1, droppedQueueFull: 0, failedExports: 0, droppedAfterShutdown: 0 });
  });
});

describe('BasaltSpanProcessor › forceFlush', () => {
  it('resolves at its timeout when the exporter never answers, and counts the batch lost once it times out', async () => {
    const hung: SpanExporter = { export() {}, async shutdown() {} };
    const processor = new BasaltSpanProcessor({
      exporter: hung,
      onlyBasaltSpans: false,
      exportTimeoutMillis: 300,
      logLevel: 'silent',
    });
    providerWith(processor).getTracer('app').startSpan('lost').end();

    const started = performance.now();
    await processor.forceFlush(100);
    expect(performance.now() - started).toBeLessThan(300);
    await processor.forceFlush(1_000);
    expect(processor.stats.failedExports).toBe(1);
  });
});

describe('BasaltSpanProcessor › shutdown', () => {
  it('flushes, shuts the exporter down once, and ignores spans that end afterwards', async () => {
    const exported: ReadableSpan[] = [];
    let shutdowns = 0;
    const exporter: SpanExporter = {
      export(spans, done) {
        exported.push(...spans);
        done({ code: ExportResultCode.SUCCESS });
      },
      async shutdown() {
        shutdowns++;
      },
    };
    const processor = new BasaltSpanProcessor({ exporter, onlyBasaltSpans: false, logLevel: 'silent' });
    const tracer = providerWith(processor).getTracer('app');
    tracer.startSpan('before').end();

    await Promise.all([processor.shutdown(), processor.shutdown()]);
    tracer.startSpan('after').end();
    await processor.forceFlush();

    expect(exported.map((s) => s.name)).toEqual(['before']);
    expect(shutdowns).toBe(1);
  });
});
