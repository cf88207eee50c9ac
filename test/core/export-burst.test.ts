import { afterEach, describe, expect, it } from 'vitest';
import { Basalt } from '../../src/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

// #14: a healthy collector loses nothing on a burst. 10,000 spans ended in one go (no await between
// them, so no export can start before the last one ends) reach a real OTLP/HTTP receiver on
// 127.0.0.1 with the default queue settings, none dropped.

const BURST = 10_000;

let receiver: OtlpReceiver | undefined;

afterEach(async () => {
  await resetTracing();
  await receiver?.close();
  receiver = undefined;
});

describe('a burst of spans to a healthy collector', () => {
  it('delivers 10,000 spans ended in one go with the default settings, none dropped', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http' });
    const basalt = new Basalt({
      apiKey: 'test-key-123456',
      logLevel: 'silent',
      telemetry: { endpoint: receiver.endpoint },
    });

    for (let i = 0; i < BURST; i++) {
      const root = basalt.startObserve({ name: 'burst', featureSlug: 'burst' });
      root.setInput(`question ${i}`);
      root.setOutput({ answer: i });
      root.end();
    }

    // No flush: the queue's own batches and timer deliver the burst, as in a server that never flushes.
    const spans = await receiver.waitForSpans(BURST, 20_000);
    expect(spans).toHaveLength(BURST);
    expect(new Set(spans.map((s) => s.attributes['basalt.span.input'])).size).toBe(BURST);
    // The receiver has them all; the client counts each batch once its response is read.
    for (const end = Date.now() + 5_000; basalt.stats().exported < BURST && Date.now() < end; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(basalt.stats()).toEqual({ exported: BURST, droppedQueueFull: 0, failedExports: 0, droppedAfterShutdown: 0 });
  }, 30_000);
});
