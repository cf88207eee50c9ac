import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Basalt, observe, startObserve } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await resetTracing();
});

/** Keeps every span it receives, shutdown or not (the in-memory exporter forgets them at shutdown). */
class KeepingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.spans.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request: a root with two children, the second after `ms`. */
function request(i: number, ms: number): Promise<void> {
  return startObserve({ name: `request-${i}`, featureSlug: 'api' }, async () => {
    await observe({ name: `auth-${i}` }, () => sleep(5));
    await sleep(ms);
    await observe({ name: `answer-${i}`, kind: 'generation' }, () => sleep(5));
  });
}

describe('shutdown() with requests in flight (#10.3)', () => {
  it('waits for traces that end within the first half of its timeout and exports all their spans', async () => {
    const exporter = new KeepingExporter();
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    const inFlight = Array.from({ length: 10 }, (_, i) => request(i, 150));
    await sleep(50);
    await basalt.shutdown(2_000);
    await Promise.all(inFlight);
    expect(exporter.spans).toHaveLength(30);
    expect(exporter.spans.filter((s) => s.attributes['basalt.root'] === true)).toHaveLength(10);
  });

  it('ends the roots still open at half its timeout as cancelled, exports them, and counts what ends later', async () => {
    const exporter = new KeepingExporter();
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    const inFlight = Array.from({ length: 10 }, (_, i) => request(i, 1_500));
    await sleep(50);
    await basalt.shutdown(400);
    await Promise.all(inFlight);

    const roots = exporter.spans.filter((s) => s.attributes['basalt.root'] === true);
    expect(roots).toHaveLength(10);
    expect(roots.every((r) => r.attributes['basalt.span.cancelled'] === true)).toBe(true);
    // Every exported child has its root exported too.
    const rootIds = new Set(roots.map((r) => r.spanContext().spanId));
    const children = exporter.spans.filter((s) => s.attributes['basalt.root'] !== true);
    expect(children.map((c) => c.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `auth-${i}`).sort());
    expect(children.every((c) => rootIds.has(c.parentSpanContext?.spanId ?? ''))).toBe(true);
    // The `answer-*` spans start after shutdown gave up waiting: not recorded, and said once.
    expect(basalt.stats().exported).toBe(20);
  });

  it('counts a span of a Basalt trace that ends after shutdown() finished, and warns once', async () => {
    const exporter = new KeepingExporter();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const basalt = new Basalt({ telemetry: { exporter } });
    const inFlight = startObserve({ name: 'request', featureSlug: 'api' }, () =>
      observe({ name: 'slow-step' }, () => sleep(800)),
    );
    await sleep(20);
    await basalt.shutdown(200);
    await inFlight;
    expect(exporter.spans.map((s) => s.name)).toEqual(['request']);
    expect(basalt.stats().droppedAfterShutdown).toBe(1);
    expect(warn.mock.calls.filter(([l]) => String(l).includes('after basalt.shutdown()'))).toHaveLength(1);
  });
});
