import { describe, expect, it } from 'vitest';
import {
  createStreamState,
  recordedStream,
  recordPart,
  type StreamObserver,
} from '../../../src/adapters/ai-sdk/stream-recorder.js';
import { type Spec, textStream, toolCallStream } from '../../helpers/ai-sdk-parts.js';

const SPECS: Spec[] = ['v2', 'v3', 'v4'];

function fold(parts: unknown[]) {
  const state = createStreamState();
  parts.forEach((part, i) => {
    recordPart(state, part, 100 + i);
  });
  return state;
}

describe('recordPart', () => {
  it.each(SPECS)('accumulates text, reasoning, usage and finish reason of spec %s', (spec) => {
    const state = fold(
      textStream(spec, {
        chunks: ['Hel', 'lo', '!'],
        reasoning: ['Think', 'ing'],
        usage: { input: 7, output: 3, reasoning: 2 },
        responseId: 'resp-42',
        modelId: 'model-2025',
      }),
    );
    expect(state.parts).toEqual([
      { type: 'reasoning', content: 'Thinking' },
      { type: 'text', content: 'Hello!' },
    ]);
    expect(state).toMatchObject({ responseId: 'resp-42', responseModel: 'model-2025', finishReason: 'stop' });
    expect(state.usage).toMatchObject({ inputTokens: 7, outputTokens: 3, reasoningOutputTokens: 2 });
  });

  it.each(SPECS)('records a streamed tool call of spec %s once, with parsed arguments', (spec) => {
    const state = fold(toolCallStream(spec, { toolCallId: 'call-1', toolName: 'weather', input: { city: 'Paris' } }));
    expect(state.parts).toEqual([{ type: 'tool_call', id: 'call-1', name: 'weather', arguments: { city: 'Paris' } }]);
    expect(state.finishReason).toBe('tool_call');
  });

  it('takes the first content part, not stream-start or metadata, as the first chunk', () => {
    const state = fold(textStream('v4', { chunks: ['a', 'b'] }));
    // stream-start (100), response-metadata (101), text-start (102), first text-delta (103)
    expect(state.firstChunkAt).toBe(103);
  });

  it('returns the error of an error part', () => {
    const error = new Error('overloaded');
    expect(recordPart(createStreamState(), { type: 'error', error }, 0)).toEqual({ error });
  });

  it('ignores parts it does not know and values that are not parts', () => {
    const state = createStreamState();
    for (const part of [null, 42, { type: 'raw', rawValue: {} }, { type: 'ping' }, { type: 'source', id: 's' }]) {
      expect(recordPart(state, part, 0)).toBeUndefined();
    }
    expect(state).toEqual({ parts: [] });
  });
});

/** A source that counts its pulls and reads nothing ahead itself. */
function countedSource<T>(parts: T[], failWith?: unknown) {
  const counter = { pulls: 0, cancelReason: undefined as unknown };
  let i = 0;
  const stream = new ReadableStream<T>(
    {
      pull(controller) {
        counter.pulls++;
        if (i < parts.length) controller.enqueue(parts[i++] as T);
        else if (failWith !== undefined) controller.error(failWith);
        else controller.close();
      },
      cancel(reason) {
        counter.cancelReason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

function recordingObserver() {
  const events: Array<[string, unknown?]> = [];
  const observer: StreamObserver<unknown> = {
    part: (part) => events.push(['part', part]),
    end: () => events.push(['end']),
    error: (error) => events.push(['error', error]),
    cancel: (reason) => events.push(['cancel', reason]),
  };
  return { observer, events };
}

describe('recordedStream', () => {
  it('hands the consumer the very part objects, in order', async () => {
    const parts = [{ n: 1 }, { n: 2 }, { n: 3 }];
    const { observer, events } = recordingObserver();
    const received: unknown[] = [];
    for await (const part of recordedStream(countedSource(parts).stream, observer)) received.push(part);
    expect(received).toHaveLength(3);
    received.forEach((part, i) => {
      expect(part).toBe(parts[i]);
    });
    expect(events.map(([kind]) => kind)).toEqual(['part', 'part', 'part', 'end']);
  });

  it('reads the source only as far as the consumer has read', async () => {
    const { stream, counter } = countedSource([1, 2, 3, 4]);
    const reader = recordedStream(stream, recordingObserver().observer).getReader();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(counter.pulls).toBe(0);
    await reader.read();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(counter.pulls).toBe(2);
  });

  it('answers concurrent reads of a slow source in order, reading one part per read', async () => {
    let pulls = 0;
    let i = 0;
    const parts = ['a', 'b', 'c'];
    const slow = new ReadableStream<string>(
      {
        async pull(controller) {
          pulls++;
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (i < parts.length) controller.enqueue(parts[i++] as string);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const { observer, events } = recordingObserver();
    const reader = recordedStream(slow, observer).getReader();
    const reads = await Promise.all([reader.read(), reader.read()]);
    expect(reads.map((r) => r.value)).toEqual(['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pulls).toBe(2);
    expect(await reader.read()).toEqual({ done: false, value: 'c' });
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(events.map(([kind, value]) => `${kind}${value ?? ''}`)).toEqual(['parta', 'partb', 'partc', 'end']);
  });

  it('ends only when the consumer reads past the last part', async () => {
    const { observer, events } = recordingObserver();
    const reader = recordedStream(countedSource(['only']).stream, observer).getReader();
    await reader.read();
    expect(events.map(([kind]) => kind)).toEqual(['part']);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(events.map(([kind]) => kind)).toEqual(['part', 'end']);
  });

  it('rejects the read with the source error object and reports it', async () => {
    const failure = new Error('socket hang up');
    const { observer, events } = recordingObserver();
    const reader = recordedStream(countedSource(['a'], failure).stream, observer).getReader();
    await reader.read();
    await expect(reader.read()).rejects.toBe(failure);
    expect(events).toEqual([
      ['part', 'a'],
      ['error', failure],
    ]);
  });

  it('reports a consumer cancel and cancels the source with the same reason', async () => {
    const { stream, counter } = countedSource(['a', 'b', 'c']);
    const { observer, events } = recordingObserver();
    const reader = recordedStream(stream, observer).getReader();
    await reader.read();
    const reason = new Error('client went away');
    await reader.cancel(reason);
    expect(events).toEqual([
      ['part', 'a'],
      ['cancel', reason],
    ]);
    expect(counter.cancelReason).toBe(reason);
  });
});
