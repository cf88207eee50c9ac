import { describe, expect, it } from 'vitest';
import { runExample, type SpanRecord } from '../helpers/examples.js';

const roots = (spans: SpanRecord[]) => spans.filter((s) => s.attributes['basalt.root'] === true);

describe('examples in local mode', () => {
  it('experiment.ts: one trace per item, each with the experiment and its identity', async () => {
    const { stdout, spans } = await runExample('experiment.ts');
    const traces = roots(spans);
    expect(traces).toHaveLength(2);
    expect(traces.map((r) => r.attributes['basalt.user.id'])).toEqual(['456', '789']);
    for (const r of traces) {
      expect(r.attributes['basalt.experiment.name']).toBe('Ticket Analysis');
      expect(String(r.attributes['basalt.experiment.id'])).toMatch(/^local-/);
      expect(r.attributes['basalt.span.should_evaluate']).toBe(true);
      const child = spans.find((s) => s.parentSpanId === r.spanId);
      expect(child?.name).toBe('classify');
      expect(child?.attributes['basalt.user.id']).toBe(r.attributes['basalt.user.id']);
    }
    expect(stdout).toContain('● analyse_ticket');
  });

  it('core-quickstart.ts: a nested request trace and a failed one that still reaches the caller', async () => {
    const { stdout, spans } = await runExample('core-quickstart.ts');
    expect(stdout).toContain('caller still sees: upstream unavailable');
    expect(spans.map((s) => s.name).sort()).toEqual(['answer_question', 'compose', 'failing_request', 'search_docs']);
    expect(stdout).toMatch(/failing_request .*ERROR/);
  });

  it('serverless-flush.ts: every invocation is exported by its own flush', async () => {
    const { stdout, spans } = await runExample('serverless-flush.ts');
    expect(roots(spans)).toHaveLength(2);
    expect(stdout).toContain('stats: { exported: 2, droppedQueueFull: 0, failedExports: 0 }');
  });

  it('own-provider.ts: Basalt spans go through the app-owned NodeSDK provider', async () => {
    const { spans } = await runExample('own-provider.ts');
    const root = roots(spans)[0];
    expect(root?.name).toBe('checkout');
    const card = spans.find((s) => s.name === 'charge card');
    expect(card?.parentSpanId).toBe(root?.spanId);
    expect(card?.attributes['basalt.user.id']).toBe('u-42');
  });
});
