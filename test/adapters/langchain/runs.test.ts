import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { kits } from './kits.js';

function byTrace(spans: readonly ReadableSpan[]): Map<string, ReadableSpan[]> {
  const traces = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = span.spanContext().traceId;
    traces.set(id, [...(traces.get(id) ?? []), span]);
  }
  return traces;
}

const rootOf = (spans: ReadableSpan[]) => spans.find((s) => s.attributes['basalt.root'] === true);

describe.each(kits)('BasaltCallbackHandler › runs › @langchain/core $major', (kit) => {
  it('holds no run after 1,000 sequential invokes, each its own trace', async () => {
    const t = setupTracing({ telemetry: { maxQueueSize: 10_000 } });
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const chain = kit.echoChain();

    for (let i = 0; i < 1000; i++) {
      await chain.invoke({ question: `q-${i}` }, { callbacks: [handler] });
      if (handler.openRunCount !== 0) throw new Error(`run left open after invoke ${i}`);
    }

    const traces = byTrace(await t.spans());
    expect(traces.size).toBe(1000);
    for (const spans of traces.values()) expect(spans).toHaveLength(4);
    expect(handler.openRunCount).toBe(0);
  });

  it("records LangChain messages and prompt values in chain inputs and outputs in their GenAI form, not LangChain's toJSON form (#14)", async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    await kit.chain(['forty-two']).invoke({ question: 'six times seven?' }, { callbacks: [handler] });

    const prompt = await t.span('ChatPromptTemplate');
    const parser = await t.span('StrOutputParser');
    expect(prompt.attributes['basalt.span.input']).toBe('{"question":"six times seven?"}');
    expect(prompt.attributes['basalt.span.output']).toBe(
      '[{"role":"system","parts":[{"type":"text","content":"Be brief."}]},{"role":"user","parts":[{"type":"text","content":"six times seven?"}]}]',
    );
    expect(parser.attributes['basalt.span.input']).toBe(
      '{"role":"assistant","parts":[{"type":"text","content":"forty-two"}]}',
    );
    expect(parser.attributes['basalt.span.output']).toBe('forty-two');
  });

  it('keeps the runs of 100 concurrent invokes of one handler apart', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const chain = kit.echoChain();

    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        chain.invoke(
          { question: `q-${i}` },
          { callbacks: [handler], metadata: { basalt: { identity: { user: { id: `u-${i}` } } } } },
        ),
      ),
    );

    expect(answers.every((answer, i) => answer.endsWith(`q-${i}`))).toBe(true);
    expect(handler.openRunCount).toBe(0);
    const traces = byTrace(await t.spans());
    expect(traces.size).toBe(100);
    // The invokes really ran at the same time: their roots overlap.
    const roots = [...traces.values()].map((spans) => rootOf(spans)).filter((s) => s !== undefined);
    const ns = ([s, n]: [number, number]) => s * 1e9 + n;
    const overlapping = roots.filter((r) => ns(r.startTime) < ns(roots[0]!.endTime)).length;
    expect(overlapping).toBeGreaterThan(1);
    for (const spans of traces.values()) {
      expect(spans).toHaveLength(4);
      const user = String(rootOf(spans)?.attributes['basalt.user.id']);
      const question = `q-${user.slice(2)}`;
      const chat = spans.find((s) => s.name === 'chat');
      // The model span of this trace saw this invoke's question, and every span carries its user.
      expect(String(chat?.attributes['gen_ai.input.messages'])).toContain(`"${question}"`);
      expect(chat?.attributes['basalt.span.output']).toBe(`Be brief.\n${question}`);
      for (const span of spans) expect(span.attributes['basalt.user.id']).toBe(user);
      const rootId = rootOf(spans)?.spanContext().spanId;
      for (const span of spans) if (span !== rootOf(spans)) expect(span.parentSpanContext?.spanId).toBe(rootId);
    }
  });

  it('keeps two concurrent invokes given the same runId apart, each its own trace and identity', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    // The model waits on a timer: alice's and bob's steps interleave.
    const chain = kit.echoChain(5);
    const invoke = (user: string) =>
      chain.invoke(
        { question: `question of ${user}` },
        { runId: 'same', callbacks: [handler], metadata: { basalt: { identity: { user: { id: user } } } } },
      );

    const answers = await Promise.all([invoke('alice'), invoke('bob')]);

    expect(answers).toEqual(['Be brief.\nquestion of alice', 'Be brief.\nquestion of bob']);
    expect(handler.openRunCount).toBe(0);
    const spans = await t.spans();
    const traces = byTrace(spans);
    expect(traces.size).toBe(2);
    const users = new Set<string>();
    for (const trace of traces.values()) {
      const root = rootOf(trace);
      const user = String(root?.attributes['basalt.user.id']);
      users.add(user);
      expect(trace.map((s) => s.name).sort()).toEqual([
        'ChatPromptTemplate',
        'RunnableSequence',
        'StrOutputParser',
        'chat',
      ]);
      expect(root?.attributes['basalt.span.output']).toBe(`Be brief.\nquestion of ${user}`);
      expect(root?.attributes['basalt.span.cancelled']).toBeUndefined();
      const chat = trace.find((s) => s.name === 'chat');
      expect(String(chat?.attributes['gen_ai.input.messages'])).toContain(`"question of ${user}"`);
      expect(chat?.attributes['basalt.span.output']).toBe(`Be brief.\nquestion of ${user}`);
      for (const span of trace) {
        expect(span.attributes['basalt.user.id']).toBe(user);
        if (span !== root) expect(span.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
      }
    }
    expect([...users].sort()).toEqual(['alice', 'bob']);
    expect(t.logs.filter((line) => line.includes('unique runId'))).toHaveLength(1);
  });

  it('ends and exports both runs given one runId when nothing else tells them apart, and warns once', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const chain = kit.echoChain(5);

    const answers = await Promise.all(
      ['first', 'second', 'third'].map((q) => chain.invoke({ question: q }, { runId: 'same', callbacks: [handler] })),
    );

    expect(answers).toEqual(['Be brief.\nfirst', 'Be brief.\nsecond', 'Be brief.\nthird']);
    expect(handler.openRunCount).toBe(0);
    const spans = await t.spans();
    // Three roots, each ended once, none cut short; every child is in the trace of an exported root.
    const roots = spans.filter((s) => s.attributes['basalt.root'] === true);
    expect(roots.map((r) => r.name)).toEqual(['RunnableSequence', 'RunnableSequence', 'RunnableSequence']);
    expect(spans).toHaveLength(12);
    const rootIds = new Set(roots.map((r) => r.spanContext().spanId));
    for (const span of spans) {
      expect(span.attributes['basalt.span.cancelled']).toBeUndefined();
      if (!rootIds.has(span.spanContext().spanId))
        expect(rootIds.has(String(span.parentSpanContext?.spanId))).toBe(true);
    }
    expect(t.logs.filter((line) => line.includes('unique runId'))).toHaveLength(1);
  });

  it('takes feature slug, experiment, identity and metadata per invoke from metadata.basalt', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({
      featureSlug: 'support',
      identity: { user: { id: 'default-user' }, organization: { id: 'acme', name: 'ACME' } },
      metadata: { app: 'help-desk' },
    });
    const chain = kit.chain(['A', 'B']);

    await chain.invoke(
      { question: 'invoice?' },
      {
        callbacks: [handler],
        metadata: {
          basalt: {
            featureSlug: 'billing',
            experiment: { id: 'exp-1', name: 'Prompt B', featureSlug: 'billing' },
            identity: { user: { id: 'u-7', name: 'Ada' } },
            metadata: { ticket: 'T-1' },
          },
        },
      },
    );
    await chain.invoke({ question: 'hello?' }, { callbacks: [handler] });

    const [first, second] = [...byTrace(await t.spans()).values()];
    for (const span of first ?? []) {
      expect(span.attributes).toMatchObject({
        'basalt.span.feature_slug': 'billing',
        'basalt.experiment.id': 'exp-1',
        'basalt.experiment.name': 'Prompt B',
        'basalt.user.id': 'u-7',
        'basalt.user.name': 'Ada',
        'basalt.organization.id': 'acme',
        'basalt.span.should_evaluate': true,
      });
    }
    expect(JSON.parse(String(rootOf(first ?? [])?.attributes['basalt.metadata']))).toEqual({
      app: 'help-desk',
      ticket: 'T-1',
    });
    for (const span of second ?? []) {
      expect(span.attributes).toMatchObject({
        'basalt.span.feature_slug': 'support',
        'basalt.user.id': 'default-user',
      });
      expect(span.attributes['basalt.experiment.id']).toBeUndefined();
    }
    expect(handler.openRunCount).toBe(0);
  });

  it('makes the top-level run a child of an active Basalt trace', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', identity: { user: { id: 'ignored' } } });

    await t.basalt.startObserve(
      { name: 'request', featureSlug: 'outer', identity: { user: { id: 'outer-user' } } },
      () => kit.chain(['ok']).invoke({ question: 'q' }, { callbacks: [handler] }),
    );
    await t.basalt.startObserve({ name: 'direct', featureSlug: 'outer' }, () =>
      kit.usageModel().invoke('q', { callbacks: [handler] }),
    );

    expect(await t.tree()).toBe(
      [
        'request',
        '  RunnableSequence',
        '    ChatPromptTemplate',
        '    chat',
        '    StrOutputParser',
        'direct',
        '  chat',
      ].join('\n'),
    );
    const sequence = await t.span('RunnableSequence');
    expect(sequence.attributes).toMatchObject({
      'basalt.trace': true,
      'basalt.span.kind': 'span',
      'basalt.span.feature_slug': 'outer',
      'basalt.user.id': 'outer-user',
    });
    expect(sequence.attributes['basalt.root']).toBeUndefined();
    expect(handler.openRunCount).toBe(0);
  });
});
