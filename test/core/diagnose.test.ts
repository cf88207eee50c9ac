import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BasaltSpanProcessor, type DiagnosisCode, observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

// #12.3: each situation is set up for real (a foreign NodeTracerProvider, an app provider without a
// context manager, a shut-down client, a serverless environment), then checked twice: the report of
// `basalt.diagnose()`, and the one warning per finding the first root logs.

const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

const codes = (findings: ReadonlyArray<{ code: DiagnosisCode }>) => findings.map((f) => f.code);
/** The diagnosis lines logged: each names a cause and, after "Fix:", what to change. */
const told = (logs: string[]) => logs.filter((line) => line.includes(' Fix: '));

const root = (name = 'root') =>
  startObserve({ name, featureSlug: 'diag' }, async () => {
    await observe({ name: `${name}.child` }, async () => undefined);
  });

function foreignProvider(options: ConstructorParameters<typeof NodeTracerProvider>[0] = {}): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ ...options, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  cleanups.push(() => provider.shutdown());
  return exporter;
}

describe('basalt.diagnose() and the first root’s warnings', () => {
  it('reports nothing, and logs nothing, when Basalt runs its own provider', async () => {
    const t = setupTracing();
    expect(t.basalt.diagnose()).toEqual({ ok: true, tracing: 'not-started', platform: undefined, findings: [] });
    await root();
    expect(t.basalt.diagnose()).toEqual({ ok: true, tracing: 'basalt-provider', platform: undefined, findings: [] });
    expect(told(t.logs)).toEqual([]);
  });

  it('finds a foreign global provider without a BasaltSpanProcessor, once', async () => {
    const appSpans = foreignProvider();
    const t = setupTracing();
    await trace.getTracer('http').startActiveSpan('GET /', async (span) => {
      await root('first');
      await root('second');
      span.end();
    });
    const report = t.basalt.diagnose();
    expect(codes(report.findings)).toEqual(['foreign-provider']);
    expect(report.findings[0]).toMatchObject({
      severity: 'warning',
      fix: expect.stringContaining('BasaltSpanProcessor'),
    });
    expect(told(t.logs)).toHaveLength(1);
    expect(told(t.logs)[0]).toContain('no BasaltSpanProcessor');
    // What the finding says: the app's provider got its own span, Basalt's spans went elsewhere.
    expect(appSpans.getFinishedSpans().map((s) => s.name)).toEqual(['GET /']);
  });

  it('finds an app NodeSDK started after Basalt registered its provider: its provider was refused', async () => {
    // NodeSDK's default metrics and logs exporters would retry a collector on localhost:4318.
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
    const t = setupTracing();
    await root('first');
    const appSpans = new InMemorySpanExporter();
    const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(appSpans)], instrumentations: [] });
    sdk.start();
    cleanups.push(() => sdk.shutdown());
    await trace.getTracer('http').startActiveSpan('GET /', async (span) => {
      await root('second');
      span.end();
    });
    // What the finding says: the app's own span never reached the app's exporter.
    expect(appSpans.getFinishedSpans()).toEqual([]);
    expect(codes(t.basalt.diagnose().findings)).toEqual(['app-sdk-after-basalt']);
    // The first root ran before the SDK started; the next root that starts after one ended says it.
    expect(told(t.logs)).toEqual([expect.stringContaining('refused')]);
  });

  it('finds that Basalt spans are not recorded inside a span the app’s provider did not sample', async () => {
    foreignProvider({ sampler: new AlwaysOffSampler() });
    const t = setupTracing();
    await trace.getTracer('http').startActiveSpan('GET /', async (span) => {
      await root('dropped');
      span.end();
    });
    expect(await t.spans()).toEqual([]);
    const report = t.basalt.diagnose();
    // The report on demand has no root to look at; the first root's own check logged it.
    expect(codes(report.findings)).toEqual(['foreign-provider']);
    const lines = told(t.logs);
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes('not recorded'))).toContain('did not sample');
  });

  it('finds that Basalt roots are not recorded when the app provider’s sampler drops them', async () => {
    // Parent-based with AlwaysOff for roots: the probe (under a sampled parent) finds the processor,
    // but every Basalt root, which has no parent, is dropped.
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const provider = new BasicTracerProvider({
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
      spanProcessors: [new BasaltSpanProcessor({ exporter: new InMemorySpanExporter() })],
    });
    trace.setGlobalTracerProvider(provider);
    cleanups.push(
      () => provider.shutdown(),
      () => manager.disable(),
    );
    const t = setupTracing();
    await root('sampled-out');
    expect(t.basalt.diagnose().tracing).toBe('app-provider');
    const lines = told(t.logs);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('sampler that dropped the first root');
    expect(lines[0]).toContain('ParentBasedSampler');
  });

  it('finds no context manager on an app provider that has a BasaltSpanProcessor but no context', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new BasaltSpanProcessor({ exporter })] });
    trace.setGlobalTracerProvider(provider);
    cleanups.push(() => provider.shutdown());
    const t = setupTracing();
    await root('unnested');
    await provider.forceFlush();
    // What the finding says: the child did not nest under the root (no context manager).
    const child = exporter.getFinishedSpans().find((s) => s.name === 'unnested.child');
    expect(child).toBeUndefined();
    const report = t.basalt.diagnose();
    expect(report.tracing).toBe('app-provider');
    expect(codes(report.findings)).toEqual(['no-context-manager']);
    expect(told(t.logs)).toHaveLength(1);
    expect(told(t.logs)[0]).toContain('AsyncLocalStorageContextManager');
  });

  it('finds spans started after shutdown, and says so once', async () => {
    const t = setupTracing();
    await root('before');
    await t.basalt.shutdown();
    await root('after-1');
    await root('after-2');
    const report = t.basalt.diagnose();
    expect(report.tracing).toBe('shut-down');
    expect(codes(report.findings)).toEqual(['span-after-shutdown']);
    expect(t.logs.filter((l) => l.includes('after basalt.shutdown()'))).toHaveLength(1);
    expect(told(t.logs)).toHaveLength(1);
  });

  describe('serverless without a flush path', () => {
    it('is told at the next root when the first one ended with nothing flushing (AWS Lambda)', async () => {
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'summarise');
      const t = setupTracing();
      await root('invocation-1');
      expect(told(t.logs)).toEqual([]);
      expect(codes(t.basalt.diagnose().findings)).toEqual(['serverless-no-flush']);
      await root('invocation-2');
      await root('invocation-3');
      const lines = told(t.logs);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('aws-lambda');
      expect(lines[0]).toContain('wrapHandler');
      expect(t.basalt.diagnose().platform).toBe('aws-lambda');
    });

    it('is not told when each invocation flushes', async () => {
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'summarise');
      const t = setupTracing();
      for (const name of ['invocation-1', 'invocation-2']) {
        await root(name);
        await t.basalt.flush();
      }
      expect(t.basalt.diagnose().findings).toEqual([]);
      expect(told(t.logs)).toEqual([]);
    });

    it('is not told when the handler is wrapped', async () => {
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'summarise');
      const t = setupTracing();
      const handler = t.basalt.wrapHandler(async () => root('wrapped'));
      t.basalt.wrapHandler(async () => undefined);
      await root('outside-the-handler');
      await handler();
      expect(t.basalt.diagnose().findings).toEqual([]);
      expect(told(t.logs)).toEqual([]);
    });

    it('is not told on Vercel, where roots hand their export to the request’s waitUntil', async () => {
      vi.stubEnv('VERCEL', '1');
      (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT] = { get: () => undefined };
      cleanups.push(() => delete (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT]);
      const t = setupTracing();
      await root('one');
      await root('two');
      expect(t.basalt.diagnose()).toMatchObject({ platform: 'vercel', findings: [] });
    });
  });

  it('keeps the checks off the hot path: the first root runs them, later roots do not', async () => {
    const t = setupTracing();
    // The checks read the global provider; a root's own path does not (its tracer is cached).
    const read = vi.spyOn(trace, 'getTracerProvider');
    await root('first');
    expect(read.mock.calls.length).toBeGreaterThan(0);
    read.mockClear();
    for (let i = 0; i < 3; i++) await root(`later-${i}`);
    expect(read).not.toHaveBeenCalled();
    expect(t.basalt.diagnose().ok).toBe(true);
  });
});

describe('diagnosis with an app-owned context manager', () => {
  it('reports nothing when the app registers a context manager and a provider with a BasaltSpanProcessor', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const provider = new BasicTracerProvider({
      spanProcessors: [new BasaltSpanProcessor({ exporter: new InMemorySpanExporter() })],
    });
    trace.setGlobalTracerProvider(provider);
    cleanups.push(
      () => provider.shutdown(),
      () => manager.disable(),
    );
    const t = setupTracing();
    await root();
    expect(t.basalt.diagnose()).toMatchObject({ ok: true, tracing: 'app-provider' });
    expect(told(t.logs)).toEqual([]);
  });
});
