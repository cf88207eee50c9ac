import { context, type Span, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

// The bounds of the AI SDK telemetry fold (core/tracing/ai-sdk-telemetry.ts, docs/decisions.md "AI
// SDK telemetry next to the middleware"), with spans of a tracer named as the AI SDK's (`ai`).

describe('AI SDK telemetry fold › bounds', () => {
  it('remembers at most 1,024 ancestors that have not ended: the oldest is then sent as written', async () => {
    const t = setupTracing({ telemetry: { maxQueueSize: 8192 } }); // 3,301 spans end in one trace
    const calls = 1100;
    const operations: Span[] = [];
    await startObserve({ name: 'turn', featureSlug: 'f' }, async () => {
      const ai = trace.getTracer('ai');
      for (let i = 0; i < calls; i++) {
        const operation = ai.startSpan(`op ${i}`, { attributes: { 'ai.usage.inputTokens': 10 } });
        const modelCall = ai.startSpan('doGenerate', {}, trace.setSpan(context.active(), operation));
        await context.with(trace.setSpan(context.active(), modelCall), () =>
          observe({ name: 'chat', kind: 'generation' }, async () => {}),
        );
        modelCall.end();
        operations.push(operation);
      }
      // Ended after all their model calls: the first ones were forgotten, the last ones were not.
      for (const operation of operations) operation.end();
    });
    const spans = await t.spans();
    const byName = (name: string) => spans.find((s) => s.name === name);
    expect(spans.filter((s) => s.name === 'doGenerate').every((s) => s.attributes['basalt.span.kind'] === 'span')).toBe(
      true,
    );
    const forgotten = calls - 1024;
    expect(byName('op 0')?.attributes).toMatchObject({ 'ai.usage.inputTokens': 10 });
    expect(byName('op 0')?.attributes['basalt.span.kind']).toBeUndefined();
    expect(byName(`op ${forgotten - 1}`)?.attributes['basalt.span.kind']).toBeUndefined();
    expect(byName(`op ${forgotten}`)?.attributes['basalt.span.kind']).toBe('span');
    expect(byName(`op ${calls - 1}`)?.attributes['ai.usage.inputTokens']).toBeUndefined();
  });

  it('a span of another tracer above a generation is sent as written', async () => {
    const t = setupTracing();
    await startObserve({ name: 'turn', featureSlug: 'f' }, async () => {
      const app = trace.getTracer('my-app');
      const parent = app.startSpan('llm-call', { attributes: { 'gen_ai.usage.input_tokens': 10 } });
      await context.with(trace.setSpan(context.active(), parent), () =>
        observe({ name: 'chat', kind: 'generation' }, async () => {}),
      );
      parent.end();
    });
    const parent = (await t.spans()).find((s) => s.name === 'llm-call');
    expect(parent?.attributes['gen_ai.usage.input_tokens']).toBe(10);
    expect(parent?.attributes['basalt.span.kind']).toBeUndefined();
  });
});
