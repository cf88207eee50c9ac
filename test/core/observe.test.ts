import { SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BasaltConfigError, type Experiment, observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

const experiment: Experiment = {
  id: 'exp_1',
  name: 'Ticket Analysis',
  featureSlug: 'support-ticket',
  createdAt: new Date('2026-11-26T00:00:00Z'),
};
const identity = { user: { id: '456', name: 'John Doe' }, organization: { id: '123', name: 'ACME' } };

describe('startObserve › callback form', () => {
  it('records a root with every SPEC §5 key and stamps them on its children', async () => {
    const t = setupTracing();
    const result = await t.basalt.startObserve(
      {
        name: 'analyse_ticket',
        featureSlug: 'support-ticket',
        experiment,
        identity,
        metadata: { channel: 'email' },
        evaluators: ['accuracy', 'tone'],
        evaluationConfig: { sampleRate: 0.5 },
      },
      async (span) => {
        span.setInput({ ticket: 'T-1' });
        const docs = await observe({ name: 'retrieve', kind: 'retrieval', input: 'refund' }, async () => {
          observe.setOutput(['doc-1']);
          return ['doc-1'];
        });
        span.setOutput('resolved');
        return docs.length;
      },
    );
    expect(result).toBe(1);
    const root = await t.span('analyse_ticket');
    const child = await t.span('retrieve');
    expect(root.attributes).toMatchObject({
      'basalt.root': true,
      'basalt.span.kind': 'basalt_trace',
      'basalt.span.feature_slug': 'support-ticket',
      'basalt.experiment.id': 'exp_1',
      'basalt.experiment.name': 'Ticket Analysis',
      'basalt.experiment.feature_slug': 'support-ticket',
      'basalt.user.id': '456',
      'basalt.user.name': 'John Doe',
      'basalt.organization.id': '123',
      'basalt.organization.name': 'ACME',
      'basalt.span.should_evaluate': true,
      'basalt.in_trace': true,
      'basalt.span.evaluators': ['accuracy', 'tone'],
      // #16: the Python SDK's keys and number form, and the JS SDK's numeric key.
      'basalt.span.evaluation.config': '{"sample_rate": 0.5}',
      'basalt.span.evaluation.sample_rate': 0.5,
      'basalt.metadata': '{"channel":"email"}',
      'basalt.span.input': '{"ticket":"T-1"}',
      'basalt.span.output': 'resolved',
    });
    expect(child.attributes).toMatchObject({
      'basalt.trace': true,
      'basalt.span.kind': 'retrieval',
      'basalt.span.feature_slug': 'support-ticket',
      'basalt.experiment.id': 'exp_1',
      'basalt.user.id': '456',
      'basalt.organization.name': 'ACME',
      'basalt.span.should_evaluate': true,
      'basalt.span.evaluation.sample_rate': 0.5,
      'basalt.in_trace': true,
      'basalt.span.input': 'refund',
      'basalt.span.output': '["doc-1"]',
    });
    expect(child.attributes['basalt.root']).toBeUndefined();
    expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
  });

  it('stamps the root values on third-party spans started inside it', async () => {
    const t = setupTracing();
    await startObserve({ name: 'root', featureSlug: 'chat', identity }, async () => {
      trace.getTracer('other-lib').startActiveSpan('http GET', (span) => span.end());
    });
    const other = await t.span('http GET');
    expect(other.attributes).toMatchObject({ 'basalt.user.id': '456', 'basalt.span.feature_slug': 'chat' });
    expect(other.parentSpanContext?.spanId).toBe((await t.span('root')).spanContext().spanId);
  });

  it('gives each loop iteration its own trace', async () => {
    const t = setupTracing();
    for (const id of ['a', 'b', 'c']) {
      await startObserve({ name: `item-${id}`, featureSlug: 'f', identity: { user: { id } } }, () => id);
    }
    const spans = await t.spans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(3);
    expect(spans.every((s) => s.parentSpanContext === undefined)).toBe(true);
  });

  it('records a thrown error and rethrows the same object', async () => {
    const t = setupTracing();
    const boom = new TypeError('bad ticket');
    const caught = await startObserve({ name: 'fails', featureSlug: 'f' }, async () => {
      throw boom;
    }).catch((e: unknown) => e);
    expect(caught).toBe(boom);
    const span = await t.span('fails');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('returns a synchronous result synchronously', async () => {
    setupTracing();
    expect(startObserve({ name: 'sync', featureSlug: 'f' }, () => 42)).toBe(42);
  });

  it('evaluates every trace of an experiment and samples the others by sampleRate', async () => {
    const t = setupTracing({ telemetry: { sampleRate: 0 } });
    await startObserve({ name: 'in-exp', featureSlug: 'support-ticket', experiment: 'exp_9' }, () => 1);
    await startObserve({ name: 'no-exp', featureSlug: 'f' }, () => 1);
    await startObserve({ name: 'forced', featureSlug: 'f', evaluationConfig: { sampleRate: 1 } }, () => 1);
    expect((await t.span('in-exp')).attributes['basalt.span.should_evaluate']).toBe(true);
    expect((await t.span('in-exp')).attributes['basalt.experiment.id']).toBe('exp_9');
    expect((await t.span('no-exp')).attributes['basalt.span.should_evaluate']).toBe(false);
    expect((await t.span('forced')).attributes['basalt.span.should_evaluate']).toBe(true);
  });

  it("writes the trace's sample rate, else the client's, as Python's JSON on the root and as a number on every span", async () => {
    const t = setupTracing({ telemetry: { sampleRate: 0.25 } });
    await startObserve({ name: 'default', featureSlug: 'f' }, () => observe({ name: 'step' }, () => 1));
    await startObserve({ name: 'one', featureSlug: 'f', evaluationConfig: { sampleRate: 1 } }, () => 1);
    await startObserve({ name: 'tiny', featureSlug: 'f', evaluationConfig: { sampleRate: 0.00005 } }, () => 1);
    const config = async (name: string) => (await t.span(name)).attributes['basalt.span.evaluation.config'];
    const rate = async (name: string) => (await t.span(name)).attributes['basalt.span.evaluation.sample_rate'];
    // Byte for byte what Python's json.dumps({"sample_rate": float}) writes.
    expect(await config('default')).toBe('{"sample_rate": 0.25}');
    expect(await config('one')).toBe('{"sample_rate": 1.0}');
    expect(await config('tiny')).toBe('{"sample_rate": 5e-05}');
    expect([await rate('default'), await rate('step'), await rate('one'), await rate('tiny')]).toEqual([
      0.25, 0.25, 1, 0.00005,
    ]);
    expect((await t.span('step')).attributes['basalt.span.evaluation.config']).toBeUndefined();
  });

  it('does not force evaluation for an experiment of another feature: the sample rate decides (#11)', async () => {
    const t = setupTracing({ telemetry: { sampleRate: 0 } });
    await startObserve({ name: 'ignored', featureSlug: 'billing', experiment }, () =>
      observe({ name: 'step' }, () => 1),
    );
    await startObserve(
      { name: 'sampled', featureSlug: 'billing', experiment, evaluationConfig: { sampleRate: 1 } },
      () => 1,
    );
    await startObserve({ name: 'by-id', featureSlug: 'billing', experiment: 'exp_1' }, () => 1);
    const evaluate = async (name: string) => (await t.span(name)).attributes['basalt.span.should_evaluate'];
    expect([await evaluate('ignored'), await evaluate('step')]).toEqual([false, false]);
    expect(await evaluate('sampled')).toBe(true);
    // By id its feature is unknown, so it counts as an experiment of the trace's feature.
    expect(await evaluate('by-id')).toBe(true);
    // The experiment is still sent, as the official SDKs send it: Basalt decides to ignore it.
    expect((await t.span('ignored')).attributes['basalt.experiment.id']).toBe('exp_1');
  });

  it('warns once when the experiment belongs to another feature', async () => {
    const t = setupTracing();
    for (let i = 0; i < 3; i++) await startObserve({ name: 'x', featureSlug: 'other', experiment }, () => i);
    expect(t.logs.filter((l) => l.includes('ignores the experiment'))).toHaveLength(1);
  });

  it('throws a config error where the feature slug is missing or the sample rate is out of range', () => {
    setupTracing();
    expect(() => startObserve({ name: 'x' } as never, () => 1)).toThrow(BasaltConfigError);
    expect(() => startObserve({ name: 'x', featureSlug: ' ' }, () => 1)).toThrow(/featureSlug/);
    expect(() => startObserve({ name: 'x', featureSlug: 'f', evaluationConfig: { sampleRate: 2 } }, () => 1)).toThrow(
      /sampleRate/,
    );
  });

  it('makes a nested startObserve a child of the active trace', async () => {
    const t = setupTracing();
    await startObserve({ name: 'outer', featureSlug: 'f', identity }, () =>
      startObserve({ name: 'inner', featureSlug: 'g' }, () => 1),
    );
    const inner = await t.span('inner');
    expect(inner.attributes['basalt.root']).toBeUndefined();
    expect(inner.attributes['basalt.span.feature_slug']).toBe('f');
    expect(inner.parentSpanContext?.spanId).toBe((await t.span('outer')).spanContext().spanId);
  });
});

describe('startObserve › manual form', () => {
  it('returns a span that ends once and parents observe calls given it', async () => {
    const t = setupTracing();
    const root = startObserve({ name: 'manual', featureSlug: 'f' });
    observe({ name: 'step', parent: root }).end();
    root.end();
    root.end();
    expect(await t.tree()).toBe('manual\n  step');
    expect((await t.spans()).filter((s) => s.name === 'manual')).toHaveLength(1);
  });

  it('ends the span at the end of an `await using` block', async () => {
    const t = setupTracing();
    {
      await using span = startObserve({ name: 'disposable', featureSlug: 'f' });
      span.setOutput('ok');
    }
    expect((await t.span('disposable')).attributes['basalt.span.output']).toBe('ok');
  });

  it('runs a function with the span active through span.run', async () => {
    const t = setupTracing();
    const root = startObserve({ name: 'manual', featureSlug: 'f' });
    await root.run(() => observe({ name: 'inside' }, async () => 1));
    root.end();
    expect(await t.tree()).toBe('manual\n  inside');
  });
});

describe('observe', () => {
  it('runs the function without a span outside any root and says so once at debug', async () => {
    const t = setupTracing();
    expect(await observe({ name: 'orphan' }, async () => 'value')).toBe('value');
    observe({ name: 'orphan-2' }, () => 1);
    observe.setOutput('nothing to attach to');
    expect(await t.spans()).toHaveLength(0);
    expect(t.logs.filter((l) => l.includes('outside any startObserve root'))).toHaveLength(1);
  });

  it('marks generation spans as CLIENT spans', async () => {
    const t = setupTracing();
    await startObserve({ name: 'r', featureSlug: 'f' }, () => observe({ name: 'llm', kind: 'generation' }, () => 1));
    expect((await t.span('llm')).kind).toBe(2);
  });

  it('rejects an unknown kind with a config error', () => {
    setupTracing();
    expect(() =>
      startObserve({ name: 'r', featureSlug: 'f' }, () => observe({ name: 'x', kind: 'nope' as never }, () => 1)),
    ).toThrow(BasaltConfigError);
  });

  it('identify inside a trace updates the root and the spans started afterwards', async () => {
    const t = setupTracing();
    await startObserve({ name: 'r', featureSlug: 'f' }, async () => {
      await observe({ name: 'before' }, () => 1);
      observe.identify({ user: { id: 'u-7' } });
      observe.setMetadata({ step: 2 });
      await observe({ name: 'after' }, () => 1);
    });
    expect((await t.span('r')).attributes['basalt.user.id']).toBe('u-7');
    expect((await t.span('r')).attributes['basalt.metadata']).toBe('{"step":2}');
    expect((await t.span('after')).attributes['basalt.user.id']).toBe('u-7');
    expect((await t.span('before')).attributes['basalt.user.id']).toBeUndefined();
  });
});

describe('content recording', () => {
  it('exports no input or output content with recordInputs/recordOutputs off, and keeps the structure', async () => {
    const t = setupTracing({ telemetry: { recordInputs: false, recordOutputs: false } });
    await startObserve({ name: 'r', featureSlug: 'f', input: 'secret question', identity }, async (span) => {
      span.setOutput('secret answer');
      await observe({ name: 'c', kind: 'generation', input: { prompt: 'secret' } }, () => observe.setOutput('x'));
    });
    const spans = await t.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['c', 'r']);
    for (const span of spans) {
      expect(span.attributes['basalt.span.input']).toBeUndefined();
      expect(span.attributes['basalt.span.output']).toBeUndefined();
      expect(JSON.stringify(span.attributes)).not.toContain('secret');
      expect(span.attributes['basalt.user.id']).toBe('456');
    }
  });

  it('passes every input, output and metadata value through mask before export', async () => {
    const seen: string[] = [];
    const t = setupTracing({
      telemetry: {
        mask: (value, info) => {
          seen.push(`${info.spanName}:${info.field}`);
          return JSON.stringify(value).replaceAll(/\d{4}-\d{4}/g, '****');
        },
      },
    });
    await startObserve(
      { name: 'r', featureSlug: 'f', input: 'card 1234-5678', metadata: { card: '1234-5678' } },
      (span) => span.setOutput({ card: '1234-5678' }),
    );
    const root = await t.span('r');
    expect(seen.sort()).toEqual(['r:input', 'r:metadata', 'r:output']);
    expect(JSON.stringify(root.attributes)).not.toContain('1234-5678');
  });
});

describe('concurrency', () => {
  it('keeps 500 concurrent roots apart: every child carries its own root identity', async () => {
    const t = setupTracing({ telemetry: { maxQueueSize: 5000 } });
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        startObserve({ name: `root-${i}`, featureSlug: 'f', identity: { user: { id: `u-${i}` } } }, async () => {
          await new Promise((r) => setTimeout(r, (i * 7) % 5));
          await observe({ name: `child-${i}` }, async () => {
            await new Promise((r) => setImmediate(r));
          });
        }),
      ),
    );
    const spans = await t.spans();
    expect(spans).toHaveLength(1000);
    const roots = new Map(spans.filter((s) => s.name.startsWith('root-')).map((s) => [s.spanContext().spanId, s]));
    let misattributed = 0;
    for (const child of spans.filter((s) => s.name.startsWith('child-'))) {
      const i = child.name.slice('child-'.length);
      const root = roots.get(child.parentSpanContext?.spanId ?? '');
      if (root?.name !== `root-${i}` || child.attributes['basalt.user.id'] !== `u-${i}`) misattributed++;
    }
    expect(misattributed).toBe(0);
  });
});

describe('lifecycle', () => {
  it('warns once about spans started after shutdown and still runs the function', async () => {
    const t = setupTracing();
    await t.basalt.shutdown();
    await t.basalt.shutdown();
    expect(await startObserve({ name: 'late', featureSlug: 'f' }, async () => 'still runs')).toBe('still runs');
    startObserve({ name: 'late-2', featureSlug: 'f' }, () => 1);
    expect(t.exporter.getFinishedSpans()).toHaveLength(0);
    expect(t.logs.filter((l) => l.includes('after basalt.shutdown()'))).toHaveLength(1);
  });

  it('shares the tracing with a second client and names the settings it ignores', async () => {
    const t = setupTracing();
    const { Basalt } = await import('../../src/index.js');
    new Basalt({ telemetry: { sampleRate: 0.3, serviceName: 'other' }, logLevel: 'warn' });
    expect(t.logs.some((l) => /sampleRate.*serviceName|serviceName.*sampleRate/.test(l) && l.includes('ignored'))).toBe(
      true,
    );
    await startObserve({ name: 'shared', featureSlug: 'f' }, () => 1);
    expect(await t.spans()).toHaveLength(1);
  });

  it('records nothing and still runs the function when telemetry is disabled', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    expect(await startObserve({ name: 'off', featureSlug: 'f' }, async () => 5)).toBe(5);
    expect(await t.spans()).toHaveLength(0);
  });
});
