import { type Operation, openOperation, safely } from '../../core/integration.js';
import {
  type BasaltCallOptions,
  type BasaltMiddlewareOptions,
  checkMiddlewareOptions,
  type ResolvedCallOptions,
  resolveCallOptions,
  takeCallOptions,
} from './call-options.js';
import { chatRequest, generateOutcome, streamOutcome } from './outcome.js';
import { createStreamState, recordedStream, recordPart, type StreamObserver } from './stream-recorder.js';
import type { GenerateResultLike, LanguageCallParamsLike, ModelLike, StreamResultLike } from './types.js';

/**
 * The middleware `basaltMiddleware` returns: a language-model middleware for `wrapLanguageModel` of
 * `ai` 5, 6 and 7. It declares `specificationVersion: 'v3'`, the value ai 6 requires and ai 7
 * accepts (ai 5 reads no version); the hooks are generic over each spec's call options and results.
 */
export interface BasaltLanguageModelMiddleware {
  readonly specificationVersion: 'v3';
  transformParams: <P extends LanguageCallParamsLike>(options: { params: P; model: ModelLike }) => Promise<P>;
  wrapGenerate: <R extends GenerateResultLike>(options: {
    doGenerate: () => PromiseLike<R>;
    params: LanguageCallParamsLike;
    model: ModelLike;
  }) => Promise<R>;
  wrapStream: <R extends StreamResultLike>(options: {
    doStream: () => PromiseLike<R>;
    params: LanguageCallParamsLike;
    model: ModelLike;
  }) => Promise<R>;
}

/**
 * Records every call of a language model as a Basalt `generation` span (SPEC §6): input messages,
 * system instructions, tools, parameters, output text, reasoning and tool calls, usage, finish
 * reason, and for streams the time to first chunk. Inside an active Basalt trace the span is a
 * child of it; outside, the middleware opens the trace's root itself with `featureSlug`,
 * `experiment` and `identity`. `providerOptions.basalt` of a call overrides those values and is
 * removed before the provider sees the call.
 *
 * @param options - `featureSlug` (needed outside a trace), `name` (root name, default the feature
 * slug), `experiment`, `identity`, `metadata`, `evaluators`, `evaluationConfig`.
 * @returns A middleware for `wrapLanguageModel`.
 * @example
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o'),
 *   middleware: basaltMiddleware({ featureSlug: 'chat' }),
 * });
 * await generateText({ model, prompt, providerOptions: { basalt: { identity: { user: { id: userId } } } } });
 * @see docs/ai-sdk.md
 */
export function basaltMiddleware(options: BasaltMiddlewareOptions): BasaltLanguageModelMiddleware {
  const base = checkMiddlewareOptions(options, 'basaltMiddleware');
  // Per-call values, keyed by the params object `transformParams` returns, which is the very object
  // `wrapGenerate`/`wrapStream` receive. Weak: nothing is held once the call is done.
  const calls = new WeakMap<object, BasaltCallOptions>();
  const optionsFor = (params: object): ResolvedCallOptions => resolveCallOptions(base, calls.get(params));

  async function basaltTransformParams<P extends LanguageCallParamsLike>({ params }: { params: P }): Promise<P> {
    return takeCallOptions(calls, params);
  }

  async function basaltWrapGenerate<R extends GenerateResultLike>({
    doGenerate,
    params,
    model,
  }: WrapOptions & { doGenerate: () => PromiseLike<R> }): Promise<R> {
    const call = openOperation(() => chatRequest(model, params, optionsFor(params), false));
    const result = await call.run(doGenerate);
    call.end(() => generateOutcome(result));
    return result;
  }

  async function basaltWrapStream<R extends StreamResultLike>({
    doStream,
    params,
    model,
  }: WrapOptions & { doStream: () => PromiseLike<R> }): Promise<R> {
    const call = openOperation(() => chatRequest(model, params, optionsFor(params), true));
    const result = await call.run(doStream);
    if (call.done) return result;
    const stream = safely('ai-sdk.wrap-stream', () => recordedStream(result.stream, streamObserver(call)), undefined);
    if (!stream) {
      call.end();
      return result;
    }
    call.endWhenCollected(stream);
    return { ...result, stream };
  }

  return {
    specificationVersion: 'v3',
    transformParams: basaltTransformParams,
    wrapGenerate: basaltWrapGenerate,
    wrapStream: basaltWrapStream,
  };
}

interface WrapOptions {
  params: LanguageCallParamsLike;
  model: ModelLike;
}

/**
 * Records a stream into `call` as the consumer reads it; the operation ends exactly once: after the
 * last part, on an `error` part or a rejected read (ERROR), on a consumer cancel, or when it is
 * abandoned (its root ends, shutdown, the stream is collected) with what was seen so far.
 */
function streamObserver(call: Operation): StreamObserver<unknown> {
  const state = createStreamState();
  const outcome = () => streamOutcome(state, call.startedAt);
  call.onAbandon(outcome);
  return {
    part(part) {
      if (call.done) return;
      // The clock is read only until the first content part: later parts need no time.
      const now = state.firstChunkAt === undefined ? performance.now() : 0;
      const failed = safely('ai-sdk.record-part', () => recordPart(state, part, now), undefined);
      if (failed) call.end(() => ({ ...outcome(), error: failed.error }));
    },
    end() {
      call.end(outcome);
    },
    error(error) {
      call.end(() => ({ ...outcome(), error }));
    },
    cancel() {
      call.end(() => ({ ...outcome(), cancelled: true }));
    },
  };
}
