import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { Basalt, BasaltSpanProcessor, observe, startObserve } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

describe('BasaltSpanProcessor on an app-owned provider', () => {
  it('uses the app provider, stamps Basalt spans, exports only Basalt traces, and never shuts the provider down', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const basaltExporter = new InMemorySpanExporter();
    const appExporter = new InMemorySpanExporter();
    const processor = new BasaltSpanProcessor({ exporter: basaltExporter });
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(appExporter), processor],
    });
    trace.setGlobalTracerProvider(provider);
    try {
      const basalt = new Basalt({ logLevel: 'silent' });
      trace.getTracer('app').startSpan('health-check').end();
      await startObserve({ name: 'root', featureSlug: 'f', identity: { user: { id: 'u1' } } }, async () => {
        await observe({ name: 'child' }, () => 1);
      });
      await basalt.shutdown();
      expect(
        basaltExporter
          .getFinishedSpans()
          .map((s) => s.name)
          .sort(),
      ).toEqual(['child', 'root']);
      expect(basaltExporter.getFinishedSpans().every((s) => s.attributes['basalt.user.id'] === 'u1')).toBe(true);
      expect(
        appExporter
          .getFinishedSpans()
          .map((s) => s.name)
          .sort(),
      ).toEqual(['child', 'health-check', 'root']);
      // The app's provider still works after basalt.shutdown().
      trace.getTracer('app').startSpan('after').end();
      expect(appExporter.getFinishedSpans().map((s) => s.name)).toContain('after');
    } finally {
      await provider.shutdown();
      manager.disable();
      await resetTracing();
    }
  });
});
