import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { convertReadableStreamToArray, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { textStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

const params: LanguageModelV4CallOptions = { prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };

function streaming(stream: () => ReadableStream<LanguageModelV4StreamPart>) {
  const mock = new MockLanguageModelV4({ modelId: 'gpt-4o', doStream: async () => ({ stream: stream() }) });
  return wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'chat' }) });
}

const kindOf = (kind: string) => (spans: ReadableSpan[]) =>
  spans.filter((s) => s.attributes['basalt.span.kind'] === kind);
const generations = kindOf('generation');
const roots = kindOf('basalt_trace');
const ns = (time: [number, number]) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
const textParts = ['a ', 'b ', 'c ', 'd ', 'e '];

async function readTextDeltas(reader: ReadableStreamDefaultReader<LanguageModelV4StreamPart>, count: number) {
  let seen = 0;
  for (let i = 0; i < 50 && seen < count; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    if (value.type === 'text-delta') seen++;
  }
}

describe('basaltMiddleware › wrapStream', () => {
  it('ends nothing before the stream is consumed, then the generation span and right after it the root', async () => {
    const t = setupTracing();
    const model = streaming(() => simulateReadableStream({ chunks: textStream('v4', { chunks: textParts }) }));
    const { stream } = await model.doStream(params);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await t.spans()).toHaveLength(0);

    await convertReadableStreamToArray(stream);
    const spans = await t.spans();
    const [generation] = generations(spans);
    const [root] = roots(spans);
    expect(spans).toHaveLength(2);
    expect(generation?.attributes['basalt.span.output']).toBe('a b c d e ');
    // Spans are exported in the order they end: the generation first, the root right after it.
    expect(spans.indexOf(generation as ReadableSpan)).toBeLessThan(spans.indexOf(root as ReadableSpan));
    const gap = ns(root?.endTime ?? [0, 0]) - ns(generation?.endTime ?? [0, 0]);
    expect(Number(gap < 0n ? -gap : gap)).toBeLessThan(5_000_000);
  });

  it('ends the generation span once when the consumer cancels after 2 chunks, marked as cancelled', async () => {
    const t = setupTracing();
    const model = streaming(() => simulateReadableStream({ chunks: textStream('v4', { chunks: textParts }) }));
    const reader = (await model.doStream(params)).stream.getReader();
    await readTextDeltas(reader, 2);
    await reader.cancel(new Error('client disconnected'));
    await reader.cancel();

    const spans = await t.spans();
    const [generation] = generations(spans);
    expect(generations(spans)).toHaveLength(1);
    expect(roots(spans)).toHaveLength(1);
    expect(generation?.attributes).toMatchObject({ 'basalt.span.cancelled': true, 'basalt.span.output': 'a b ' });
    expect(generation?.attributes['gen_ai.response.finish_reasons']).toBeUndefined();
    expect(generation?.status.code).toBe(SpanStatusCode.UNSET);
    expect(roots(spans)[0]?.attributes['basalt.span.cancelled']).toBe(true);
  });

  it('ends the generation span once when streamText is aborted after 2 chunks', async () => {
    const t = setupTracing();
    const model = streaming(() =>
      simulateReadableStream({ chunks: textStream('v4', { chunks: textParts }), chunkDelayInMs: 15 }),
    );
    const abort = new AbortController();
    const result = streamText({ model, prompt: 'Hi', abortSignal: abort.signal, onError: () => {} });
    let chunks = 0;
    for await (const _ of result.textStream) {
      if (++chunks === 2) abort.abort();
    }

    for (let i = 0; i < 50 && generations(await t.spans()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const spans = generations(await t.spans());
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes['basalt.span.cancelled']).toBe(true);
    expect(String(spans[0]?.attributes['basalt.span.output'])).toMatch(/^a b /);
  });

  it('ends with ERROR at an error part and still hands that very part over', async () => {
    const t = setupTracing();
    const error = Object.assign(new Error('overloaded'), { code: 'overloaded_error' });
    const errorPart: LanguageModelV4StreamPart = { type: 'error', error };
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'partial' },
      errorPart,
      { type: 'text-delta', id: 't', delta: ' more' },
    ];
    const model = streaming(() => simulateReadableStream({ chunks: parts }));
    const received = await convertReadableStreamToArray((await model.doStream(params)).stream);

    expect(received[2]).toBe(errorPart);
    expect(received).toHaveLength(4);
    const [generation] = generations(await t.spans());
    expect(generation?.status.code).toBe(SpanStatusCode.ERROR);
    expect(generation?.attributes['error.type']).toBe('overloaded_error');
    expect(generation?.attributes['basalt.span.output']).toBe('partial');
  });

  it('ends with ERROR when a read rejects, and rejects the consumer read with the same error', async () => {
    const t = setupTracing();
    const failure = new Error('socket hang up');
    const model = streaming(
      () =>
        new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'text-delta', id: 't', delta: 'Hel' });
          },
          pull(controller) {
            controller.error(failure);
          },
        }),
    );
    const reader = (await model.doStream(params)).stream.getReader();
    await reader.read();
    await expect(reader.read()).rejects.toBe(failure);

    const spans = await t.spans();
    expect(generations(spans)).toHaveLength(1);
    expect(generations(spans)[0]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(roots(spans)[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('hands each part over without waiting for the next one', async () => {
    setupTracing();
    const first: LanguageModelV4StreamPart = { type: 'text-delta', id: 't', delta: 'now' };
    let sent = false;
    const model = streaming(
      () =>
        new ReadableStream<LanguageModelV4StreamPart>(
          {
            pull(controller) {
              if (!sent) controller.enqueue(first);
              sent = true;
              return new Promise(() => {}); // the next part never comes
            },
          },
          { highWaterMark: 0 },
        ),
    );
    const reader = (await model.doStream(params)).stream.getReader();
    const read = await Promise.race([reader.read(), new Promise((r) => setTimeout(() => r('timeout'), 500))]);
    expect(read).toEqual({ done: false, value: first });
    await reader.cancel();
  });

  it('records the time to first chunk from the start of the call', async () => {
    const t = setupTracing();
    const model = streaming(() =>
      simulateReadableStream({ chunks: textStream('v4', { chunks: ['late'] }), initialDelayInMs: 60 }),
    );
    await convertReadableStreamToArray((await model.doStream(params)).stream);
    const [generation] = generations(await t.spans());
    expect(generation?.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0.05);
  });

  it('keeps streaming, and ends the span once, when a part cannot be recorded', async () => {
    const t = setupTracing();
    const hostile = {
      get type(): never {
        throw new Error('hostile part');
      },
    } as unknown as LanguageModelV4StreamPart;
    const parts = [hostile, ...textStream('v4', { chunks: ['fine'] })];
    const model = streaming(() => simulateReadableStream({ chunks: parts }));
    const received = await convertReadableStreamToArray((await model.doStream(params)).stream);

    expect(received).toHaveLength(parts.length);
    expect(received[0]).toBe(hostile);
    expect(generations(await t.spans())[0]?.attributes['basalt.span.output']).toBe('fine');
  });
});
