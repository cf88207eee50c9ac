import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { type Kit, kits } from './kits.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const isRoot = (span: ReadableSpan) => span.attributes['basalt.root'] === true;
const cancelled = (span: ReadableSpan) => span.attributes['basalt.span.cancelled'] === true;

/**
 * Reads one chunk of `prompt | model | parser` streamed for `user`, then leaves (`break`). LangChain
 * never ends that stream's runs: the sequence, the model and the parser stay open.
 */
async function abandonStream(kit: Kit, handler: BasaltCallbackHandler, user: string): Promise<void> {
  const config = { callbacks: [handler], metadata: { basalt: { identity: { user: { id: user } } } } };
  for await (const _chunk of await kit.chain([`answer for ${user}`]).stream({ question: user }, config)) break;
}

/**
 * What a trace must be once exported: every span but the root has its parent exported in the same
 * trace, after it (it ended first), and the whole trace carries one user.
 */
function checkTraces(spans: readonly ReadableSpan[]): void {
  const byId = new Map(spans.map((s) => [idOf(s), s]));
  for (const span of spans) {
    if (isRoot(span)) continue;
    const parent = byId.get(span.parentSpanContext?.spanId ?? '');
    expect(parent, `${span.name} has its parent exported`).toBeDefined();
    expect(parent?.spanContext().traceId).toBe(span.spanContext().traceId);
    // Exported in the order they ended (span end times are only as precise as their millisecond start).
    expect(spans.indexOf(span)).toBeLessThan(spans.indexOf(parent as ReadableSpan));
    expect(span.attributes['basalt.user.id']).toBe(parent?.attributes['basalt.user.id']);
  }
}

/** The spans of the abandoned streams, once the three runs of each left open have ended. */
function expectAbandoned(spans: readonly ReadableSpan[], users: string[]): void {
  checkTraces(spans);
  const roots = spans.filter(isRoot);
  expect(roots.map((r) => String(r.attributes['basalt.user.id'])).sort()).toEqual([...users].sort());
  for (const root of roots) {
    expect(root.name).toBe('RunnableSequence');
    expect(cancelled(root)).toBe(true);
    const members = spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    expect(members.map((s) => `${s.name}${cancelled(s) ? ' (cancelled)' : ''}`).sort()).toEqual([
      'ChatPromptTemplate',
      'RunnableSequence (cancelled)',
      'StrOutputParser (cancelled)',
      'chat (cancelled)',
    ]);
  }
}

/** Waits, at most `rounds` × `ms`, for `done`. */
async function until(done: () => boolean, rounds = 200, ms = 10): Promise<void> {
  for (let round = 0; round < rounds && !done(); round++) await sleep(ms);
}

describe.each(kits)('BasaltCallbackHandler › abandoned streams › @langchain/core $major', (kit) => {
  it('ends the runs of an abandoned stream as cancelled, with their root, after idleTimeoutMs without a callback', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', idleTimeoutMs: 50 });
    const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);

    await abandonStream(kit, handler, 'user-0');
    expect(handler.openRunCount).toBe(3);
    for (const user of users.slice(1)) await abandonStream(kit, handler, user);
    await until(() => handler.openRunCount === 0);

    expect(handler.openRunCount).toBe(0);
    expectAbandoned(await t.spans(), users);
  });

  it('keeps a run open past idleTimeoutMs while its callbacks keep coming', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', idleTimeoutMs: 300 });
    // 20 characters, one every 20 ms: 400 ms of streaming, never 300 ms without a token.
    const chain = kit.chain(['abcdefghijklmnopqrst'], { sleepMs: 20 });

    let text = '';
    for await (const chunk of await chain.stream({ question: 'q' }, { callbacks: [handler] })) text += chunk;

    expect(text).toBe('abcdefghijklmnopqrst');
    const spans = await t.spans();
    expect(spans.filter(cancelled)).toEqual([]);
    expect(spans.find(isRoot)?.attributes['basalt.span.output']).toBe('abcdefghijklmnopqrst');
    expect(handler.openRunCount).toBe(0);
  });

  it('ends the runs a per-request handler left open, with their root, when the handler is collected', async () => {
    const t = setupTracing();
    const users = Array.from({ length: 100 }, (_, i) => `user-${i}`);

    // One handler per request, dropped with the abandoned stream: the default idle timeout (minutes) never fires here.
    for (const user of users) await abandonStream(kit, new BasaltCallbackHandler({ featureSlug: 'support' }), user);
    let roots = 0;
    for (let round = 0; round < 50 && roots < users.length; round++) {
      gc();
      await sleep(10);
      roots = (await t.spans()).filter(isRoot).length;
    }

    expectAbandoned(await t.spans(), users);
  });

  it('ends the runs of an abandoned stream as cancelled, with their root, once more than maxOpenRuns are open', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', maxOpenRuns: 4 });

    await abandonStream(kit, handler, 'abandoned');
    expect(handler.openRunCount).toBe(3);
    await kit.chain(['ok']).invoke({ question: 'q' }, { callbacks: [handler] });

    expect(handler.openRunCount).toBe(0);
    const spans = await t.spans();
    expectAbandoned(
      spans.filter((s) => s.attributes['basalt.user.id'] === 'abandoned'),
      ['abandoned'],
    );
    expect(spans.filter(cancelled)).toHaveLength(3);
    expect(t.logs.filter((line) => line.includes('the least recently active traces are ended'))).toHaveLength(1);
  });

  it('evicts the least recently active trace past maxOpenRuns: an abandoned stream before a live invoke', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', maxOpenRuns: 5 });

    await abandonStream(kit, handler, 'first-abandoned');
    // A live invoke whose model waits on a timer, while a second stream is abandoned.
    const live = kit
      .chain(['live answer'], { sleepMs: 100 })
      .invoke(
        { question: 'live' },
        { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'live' } } } } },
      );
    await until(() => handler.openRunCount === 5, 100, 1); // 3 abandoned, the live sequence and its model
    await abandonStream(kit, handler, 'second-abandoned');
    expect(await live).toBe('live answer');

    // The second stream's runs are still open (its prompt ended and was exported; its root was not).
    expect(handler.openRunCount).toBe(3);
    const spans = await t.spans();
    checkTraces(spans.filter((s) => s.attributes['basalt.user.id'] !== 'second-abandoned'));
    const liveTrace = spans.filter((s) => s.attributes['basalt.user.id'] === 'live');
    expect(liveTrace.map((s) => s.name).sort()).toEqual([
      'ChatPromptTemplate',
      'RunnableSequence',
      'StrOutputParser',
      'chat',
    ]);
    expect(liveTrace.filter(cancelled)).toEqual([]);
    expectAbandoned(
      spans.filter((s) => s.attributes['basalt.user.id'] === 'first-abandoned'),
      ['first-abandoned'],
    );
    expect(t.logs.join('\n')).toContain('the least recently active traces are ended as cancelled');
  });

  it.each([
    ['as the root', false],
    ['inside a startObserve root', true],
  ])(
    'ends a live run it has to evict %s children first, and records the rest of the invoke',
    async (_where, wrapped) => {
      const t = setupTracing();
      const handler = new BasaltCallbackHandler({ featureSlug: 'support', maxOpenRuns: 2 });
      const invoke = (user: string) => {
        const call = () =>
          kit
            .chain([`answer for ${user}`], { sleepMs: 100 })
            .invoke(
              { question: user },
              { callbacks: [handler], metadata: { basalt: { identity: { user: { id: user } } } } },
            );
        const identity = { user: { id: user } };
        return wrapped ? t.basalt.startObserve({ name: 'request', featureSlug: 'support', identity }, call) : call();
      };

      // The first invoke's sequence and model are open when the second starts: they are evicted.
      const first = invoke('first');
      await until(() => handler.openRunCount === 2, 100, 1);
      const answers = await Promise.all([first, invoke('second')]);

      expect(answers).toEqual(['answer for first', 'answer for second']);
      expect(handler.openRunCount).toBe(0);
      const spans = await t.spans();
      checkTraces(spans);
      const ofFirst = (name: string) =>
        spans.find((s) => s.name === name && s.attributes['basalt.user.id'] === 'first') as ReadableSpan;
      const [sequence, chat] = [ofFirst('RunnableSequence'), ofFirst('chat')];
      expect(chat.parentSpanContext?.spanId).toBe(idOf(sequence));
      expect(cancelled(chat)).toBe(true);
      expect(cancelled(sequence)).toBe(true);
      expect(spans.indexOf(chat)).toBeLessThan(spans.indexOf(sequence));
    },
  );
});
