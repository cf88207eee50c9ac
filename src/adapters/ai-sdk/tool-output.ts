import { context } from '@opentelemetry/api';
import { type Operation, safely } from '../../core/integration.js';

/** The AI SDK's own test for a streaming tool (`executeTool` in `@ai-sdk/provider-utils`). */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return safely(
    'basaltTools.result',
    () =>
      value !== null &&
      value !== undefined &&
      typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function',
    false,
  );
}

/**
 * The output of a streaming tool (`execute` returning an `AsyncIterable`, ai 5, 6 and 7), recorded
 * as the AI SDK reads it: each value is a preliminary output and the last one the final output.
 *
 * Pull-based, as `stream-recorder.ts`: each `next()` of the consumer reads one value of the source,
 * with the tool span active, and hands it over unchanged; nothing is read ahead. The span ends once:
 * when the source is done (output: the last value), when a read rejects (ERROR, the same error
 * rethrown), when the consumer stops early through `return()` (`basalt.span.cancelled`), or, if it is
 * never read to the end, when its trace's root ends, at `shutdown()`, or when it is collected.
 * Only the first iteration is recorded; a second one reads the source unrecorded.
 */
export function recordedIterable(source: AsyncIterable<unknown>, call: Operation): AsyncIterable<unknown> {
  const state: IterationState = { last: undefined, iterated: false };
  call.onAbandon(() => ({ output: state.last }));
  const recorded: AsyncIterable<unknown> = {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      if (state.iterated) return source[Symbol.asyncIterator]();
      state.iterated = true;
      const iterator = context.with(call.context, () => source[Symbol.asyncIterator]());
      return recordingIterator(iterator, call, state, this);
    },
  };
  // No closure here holds `recorded`, so the registration does not keep it alive.
  call.endWhenCollected(recorded);
  return recorded;
}

interface IterationState {
  last: unknown;
  iterated: boolean;
}

/**
 * Keeps a recorded iterable alive while its iterator is: `for await` holds only the iterator, and
 * the iterable being collected must not end the span of a tool still being read.
 */
const iterableOf = new WeakMap<object, unknown>();

function recordingIterator(
  iterator: AsyncIterator<unknown>,
  call: Operation,
  state: IterationState,
  iterable: unknown,
): AsyncIterator<unknown> {
  const recording: AsyncIterator<unknown> = {
    async next(...args: [] | [unknown]) {
      try {
        const step = await context.with(call.context, () => iterator.next(...args));
        if (step?.done) call.end({ output: state.last });
        else if (step) state.last = step.value;
        return step;
      } catch (error) {
        call.end({ output: state.last, error });
        throw error;
      }
    },
    async return(value?: unknown) {
      call.end({ output: state.last, cancelled: true });
      return iterator.return ? iterator.return(value) : { done: true, value };
    },
  };
  iterableOf.set(recording, iterable);
  return recording;
}
