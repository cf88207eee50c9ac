import { trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { BasaltContextManager } from '../../../src/index.js';
import { appProvider } from '../../helpers/app-provider.js';
import { setupTracing } from '../../helpers/tracing.js';
import { kits } from './kits.js';

// An app that owns its provider and registers OpenTelemetry's plain AsyncLocalStorage context
// manager: LangChain runs are traced, but a span started in a run's body does not nest under the
// run. The diagnosis says so, and only then (#12.3, #12.5).

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const told = (logs: string[]) => logs.filter((line) => line.includes(' Fix: '));
const codes = (report: { findings: Array<{ code: string }> }) => report.findings.map((f) => f.code);
const parentOf = (spans: ReadableSpan[], name: string) => {
  const span = spans.find((s) => s.name === name);
  return spans.find((s) => s.spanContext().spanId === span?.parentSpanContext?.spanId)?.name;
};

describe.each(kits)('basalt.diagnose() › LangChain runs and the context manager ($major)', (kit) => {
  /** A lambda run whose body starts a span of the app's own tracer, as an HTTP instrumentation would. */
  async function invokeLambda(): Promise<void> {
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    await kit
      .lambda(async (input: string) => {
        trace.getTracer('app').startSpan('GET /inventory').end();
        return input;
      })
      .invoke('x', { callbacks: [handler], runName: 'step' });
  }

  it('finds a plain AsyncLocalStorageContextManager: the span started in the run body misses its run', async () => {
    const { app: exporter, close } = appProvider(new AsyncLocalStorageContextManager());
    cleanups.push(close);
    const t = setupTracing();
    await invokeLambda();

    // What the finding is about, for real: the body's span is not the run's child.
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /inventory', 'step']);
    expect(parentOf(spans, 'GET /inventory')).toBeUndefined();
    const report = t.basalt.diagnose();
    expect(report.tracing).toBe('app-provider');
    expect(codes(report)).toEqual(['langchain-context-manager']);
    expect(report.findings[0]?.severity).toBe('warning');
    // The first root said it once, with the fix.
    expect(told(t.logs)).toHaveLength(1);
    expect(told(t.logs)[0]).toContain('new BasaltContextManager()');
  });

  it('finds nothing with a BasaltContextManager: the span nests under its run', async () => {
    const { app: exporter, close } = appProvider(new BasaltContextManager());
    cleanups.push(close);
    const t = setupTracing();
    await invokeLambda();

    expect(parentOf(exporter.getFinishedSpans(), 'GET /inventory')).toBe('step');
    expect(t.basalt.diagnose()).toMatchObject({ ok: true, tracing: 'app-provider', findings: [] });
    expect(told(t.logs)).toEqual([]);
  });

  it('finds nothing on the provider Basalt creates itself', async () => {
    const t = setupTracing();
    await invokeLambda();

    expect(await t.tree()).toBe(['step', '  GET /inventory'].join('\n'));
    expect(t.basalt.diagnose()).toMatchObject({ ok: true, tracing: 'basalt-provider' });
    expect(told(t.logs)).toEqual([]);
  });
});
