import { context, type Span, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerOTel } from '@vercel/otel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Basalt, BasaltConfigError, BasaltSpanProcessor, registerBasalt, startObserve } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

// #12.2: Next.js starts its request span (tracer `next.js`) before the route runs, with whatever
// provider is registered then. These tests play that order: a framework span first, then the
// route's Basalt root inside it. Before `registerBasalt()`, tracing started on the first Basalt span,
// so the first request's framework span was a no-op and its root had no parent.

let exporter = new InMemorySpanExporter();

afterEach(async () => {
  exporter = new InMemorySpanExporter();
  vi.restoreAllMocks();
  await resetTracing();
});

/** One request as Next.js serves it: its own active span, then the route's Basalt root. */
async function request(path: string): Promise<void> {
  await trace.getTracer('next.js').startActiveSpan(`POST ${path}`, async (span: Span) => {
    await startObserve({ name: 'chat_request', featureSlug: 'chat' }, async () => undefined);
    span.end();
  });
}

function roots(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return spans.filter((s) => s.attributes['basalt.root'] === true);
}

const warnings = () => vi.spyOn(console, 'warn').mockImplementation(() => undefined);

describe('registerBasalt', () => {
  it('traces the first request like the second: both roots are children of the framework’s span', async () => {
    new Basalt({ logLevel: 'warn', telemetry: { exporter } });
    registerBasalt();
    await request('/api/chat');
    await request('/api/chat');
    await new Basalt({ logLevel: 'warn', telemetry: { exporter } }).flush();
    const [first, second] = roots(exporter.getFinishedSpans());
    expect(first?.parentSpanContext?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(second?.parentSpanContext?.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('without it, the first request’s root has no parent (tracing starts on the first span)', async () => {
    const basalt = new Basalt({ logLevel: 'warn', telemetry: { exporter } });
    await request('/api/chat');
    await request('/api/chat');
    await basalt.flush();
    const [first, second] = roots(exporter.getFinishedSpans());
    expect(first?.parentSpanContext).toBeUndefined();
    expect(second?.parentSpanContext?.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('makes the client from options when given', async () => {
    registerBasalt({ logLevel: 'warn', telemetry: { exporter, serviceName: 'web' } });
    await request('/');
    await new Basalt({ logLevel: 'warn', telemetry: { exporter, serviceName: 'web' } }).flush();
    const [root] = roots(exporter.getFinishedSpans());
    expect(root?.parentSpanContext).toBeDefined();
    expect(root?.resource.attributes['service.name']).toBe('web');
  });

  it('called twice: one warning, the same single provider', async () => {
    const warn = warnings();
    new Basalt({ telemetry: { exporter } });
    registerBasalt();
    const provider = (trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate();
    registerBasalt();
    registerBasalt();
    expect((trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate()).toBe(provider);
    const lines = warn.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('registerBasalt()'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('called again');
  });

  it('called after spans exist: one warning, nothing started twice', async () => {
    const warn = warnings();
    new Basalt({ telemetry: { exporter } });
    await request('/');
    const provider = (trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate();
    registerBasalt();
    registerBasalt();
    expect((trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate()).toBe(provider);
    const lines = warn.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('registerBasalt()'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('after tracing had started');
  });

  it('starts nothing and says nothing when tracing is turned off', () => {
    const warn = warnings();
    registerBasalt({ telemetry: { enabled: false } });
    registerBasalt();
    expect(trace.getTracerProvider().getTracer('next.js').startSpan('GET /').isRecording()).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it('throws BasaltConfigError for bad options', () => {
    expect(() => registerBasalt('key' as never)).toThrow(BasaltConfigError);
  });
});

describe('registerBasalt alongside @vercel/otel', () => {
  it('uses the provider registerOTel registered, whose BasaltSpanProcessor exports the first request', async () => {
    registerOTel({ serviceName: 'web', spanProcessors: [new BasaltSpanProcessor({ exporter })] });
    const basalt = new Basalt({ logLevel: 'warn' });
    registerBasalt();
    expect(basalt.diagnose()).toMatchObject({ ok: true, tracing: 'app-provider' });
    await request('/api/chat');
    await basalt.flush();
    const [first] = roots(exporter.getFinishedSpans());
    expect(first?.parentSpanContext?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(first?.resource.attributes['service.name']).toBe('web');
    // The framework span is not a Basalt trace: only Basalt spans reach Basalt's exporter.
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['chat_request']);
    await (trace.getTracerProvider() as unknown as { getDelegate(): { shutdown(): Promise<void> } })
      .getDelegate()
      .shutdown();
    context.disable();
  });

  it('called before registerOTel: the first root says the app’s provider was refused, and how to order them', async () => {
    const warn = warnings();
    const appExporter = new InMemorySpanExporter();
    const basalt = new Basalt({ logLevel: 'warn', telemetry: { exporter } });
    registerBasalt();
    registerOTel({ serviceName: 'web', spanProcessors: [new SimpleSpanProcessor(appExporter)] });
    await request('/api/chat');
    await basalt.flush();
    // What the order does: the app's provider was never registered, so its exporter gets nothing.
    expect(appExporter.getFinishedSpans()).toEqual([]);
    const { findings } = basalt.diagnose();
    expect(findings.map((f) => f.code)).toEqual(['app-sdk-after-basalt']);
    expect(findings[0]?.fix).toContain('registerOTel');
    const told = warn.mock.calls.map(([line]) => String(line)).filter((l) => l.includes('refused'));
    expect(told).toHaveLength(1);
    context.disable();
  });

  it('called after registerOTel without a BasaltSpanProcessor: the foreign-provider finding, not the order one', async () => {
    const appExporter = new InMemorySpanExporter();
    registerOTel({ serviceName: 'web', spanProcessors: [new SimpleSpanProcessor(appExporter)] });
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    registerBasalt();
    await request('/api/chat');
    await basalt.flush();
    expect(appExporter.getFinishedSpans().map((s) => s.name)).toEqual(['POST /api/chat']);
    expect(basalt.diagnose().findings.map((f) => f.code)).toEqual(['foreign-provider']);
    await (trace.getTracerProvider() as unknown as { getDelegate(): { shutdown(): Promise<void> } })
      .getDelegate()
      .shutdown();
    context.disable();
  });
});
