import { type GenAiPart, type GenAiUsage, isRecord } from '../../core/integration.js';
import { toGenAiPart } from './messages.js';
import { normalizeFinishReason, normalizeUsage } from './normalize.js';

/** What a model stream said so far, accumulated part by part. */
export interface StreamState {
  /** Output parts in order; consecutive text (or reasoning) deltas merge into one part. */
  parts: GenAiPart[];
  /** `performance.now()` of the first content part. */
  firstChunkAt?: number;
  responseId?: string;
  responseModel?: string;
  usage?: GenAiUsage;
  finishReason?: string;
}

export function createStreamState(): StreamState {
  return { parts: [] };
}

/** Part types that carry model output: the first of them is the first chunk. */
const CONTENT_PARTS = new Set([
  'text-delta',
  'reasoning-delta',
  'tool-input-start',
  'tool-input-delta',
  'tool-call',
  'file',
  'reasoning-file',
]);

/**
 * Folds one stream part (spec v2, v3 or v4) into `state`. Returns `{ error }` for an `error` part,
 * so the caller can end the span there. Never awaits, never throws on an unexpected shape.
 */
export function recordPart(state: StreamState, part: unknown, now: number): { error: unknown } | undefined {
  if (!isRecord(part) || typeof part.type !== 'string') return undefined;
  if (state.firstChunkAt === undefined && CONTENT_PARTS.has(part.type)) state.firstChunkAt = now;
  switch (part.type) {
    case 'text-delta':
      appendDelta(state.parts, 'text', part.delta);
      break;
    case 'reasoning-delta':
      appendDelta(state.parts, 'reasoning', part.delta);
      break;
    case 'tool-call':
    case 'tool-result':
    case 'file':
    case 'reasoning-file': {
      const converted = toGenAiPart(part);
      if (converted) state.parts.push(converted);
      break;
    }
    case 'response-metadata':
      if (typeof part.id === 'string') state.responseId = part.id;
      if (typeof part.modelId === 'string') state.responseModel = part.modelId;
      break;
    case 'finish':
      state.usage = normalizeUsage(part.usage);
      state.finishReason = normalizeFinishReason(part.finishReason);
      break;
    case 'error':
      return { error: part.error };
  }
  return undefined;
}

function appendDelta(parts: GenAiPart[], type: 'text' | 'reasoning', delta: unknown): void {
  if (typeof delta !== 'string' || delta === '') return;
  const last = parts[parts.length - 1];
  if (last?.type === type) last.content += delta;
  else parts.push({ type, content: delta });
}

/** What the recorded stream reports, each call at most once per path (the caller ends once). */
export interface StreamObserver<T> {
  /** A part the consumer just received. */
  part(part: T): void;
  /** The source ended. */
  end(): void;
  /** A read of the source rejected with `error`. */
  error(error: unknown): void;
  /** The consumer cancelled with `reason`. */
  cancel(reason: unknown): void;
}

/**
 * Re-exposes `source` part by part as the consumer reads: `pull` starts one read of the source, and
 * its callback enqueues the part unchanged, then records it. `highWaterMark: 0` means nothing is read
 * ahead of the consumer. A pull-based stream rather than a TransformStream because a transformer's
 * `cancel` also fires when the source errors, and an upstream error must not be mistaken for a
 * consumer cancel (a TransformStream hop also costs several times more per chunk).
 *
 * `pull` returns nothing rather than the read's promise, and at most one read is in flight (a
 * `pull` during a read does nothing: the read's `enqueue` makes the stream pull again while reads
 * are pending). Web streams then settle no promise of ours per chunk besides the read's own: the hop
 * costs about a fifth fewer instructions per chunk than an `async pull` awaiting the read
 * (docs/benchmarks.md, per streamed chunk). The callbacks never throw: a rejection there would be
 * unhandled.
 */
export function recordedStream<T>(source: ReadableStream<T>, observer: StreamObserver<T>): ReadableStream<T> {
  const reader = source.getReader();
  // A cancel can arrive while a read is pending; the controller is closed by then.
  let cancelled = false;
  let reading = false;
  let controller!: ReadableStreamDefaultController<T>;
  const failed = (error: unknown) => {
    try {
      controller.error(error);
    } catch {
      // Already closed or errored: nothing to tell the consumer.
    }
  };
  const onRead = (result: ReadableStreamReadResult<T>) => {
    reading = false;
    if (cancelled) return;
    try {
      if (result.done) {
        controller.close();
        observer.end();
        return;
      }
      controller.enqueue(result.value);
      observer.part(result.value);
    } catch (error) {
      failed(error);
    }
  };
  const onError = (error: unknown) => {
    reading = false;
    if (cancelled) return;
    try {
      observer.error(error);
    } catch {
      // The observer records; the consumer is told below whatever happened there.
    }
    failed(error);
  };
  return new ReadableStream<T>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (reading) return;
        reading = true;
        reader.read().then(onRead, onError);
      },
      cancel(reason) {
        cancelled = true;
        observer.cancel(reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
