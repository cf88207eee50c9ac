import { openOperation } from '../../core/integration.js';
import {
  type BasaltCallOptions,
  type BasaltMiddlewareOptions,
  checkMiddlewareOptions,
  resolveCallOptions,
  takeCallOptions,
} from './call-options.js';
import { embeddingRequest, embedOutcome } from './outcome.js';
import type { EmbeddingCallParamsLike, EmbedResultLike, ModelLike } from './types.js';

/**
 * The middleware `basaltEmbeddingMiddleware` returns, for `wrapEmbeddingModel` of `ai` 6 and 7
 * (`wrapEmbeddingModel` does not exist in ai 5). `specificationVersion: 'v3'` is what ai 6 requires
 * and ai 7 accepts.
 */
export interface BasaltEmbeddingModelMiddleware {
  readonly specificationVersion: 'v3';
  transformParams: <P extends EmbeddingCallParamsLike>(options: { params: P; model: ModelLike }) => Promise<P>;
  wrapEmbed: <R extends EmbedResultLike>(options: {
    doEmbed: () => PromiseLike<R>;
    params: EmbeddingCallParamsLike;
    model: ModelLike;
  }) => Promise<R>;
}

/**
 * Records every call of an embedding model (`embed`, `embedMany`) as a Basalt `generation` span
 * with operation `embeddings`: provider, model, input count, token usage, and the input values as
 * the span input (never the vectors). Trace, root and per-call `providerOptions.basalt` behave as
 * in `basaltMiddleware`.
 *
 * @param options - as for `basaltMiddleware`.
 * @returns A middleware for `wrapEmbeddingModel`.
 * @example
 * const model = wrapEmbeddingModel({
 *   model: openai.embedding('text-embedding-3-small'),
 *   middleware: basaltEmbeddingMiddleware({ featureSlug: 'search' }),
 * });
 * const { embedding } = await embed({ model, value: query });
 * @see docs/ai-sdk.md
 */
export function basaltEmbeddingMiddleware(options: BasaltMiddlewareOptions): BasaltEmbeddingModelMiddleware {
  const base = checkMiddlewareOptions(options, 'basaltEmbeddingMiddleware');
  const calls = new WeakMap<object, BasaltCallOptions>();

  async function basaltTransformEmbedParams<P extends EmbeddingCallParamsLike>({ params }: { params: P }): Promise<P> {
    return takeCallOptions(calls, params);
  }

  async function basaltWrapEmbed<R extends EmbedResultLike>({
    doEmbed,
    params,
    model,
  }: {
    doEmbed: () => PromiseLike<R>;
    params: EmbeddingCallParamsLike;
    model: ModelLike;
  }): Promise<R> {
    const call = openOperation(() => embeddingRequest(model, params, resolveCallOptions(base, calls.get(params))));
    const result = await call.run(doEmbed);
    call.end(() => embedOutcome(result));
    return result;
  }

  return { specificationVersion: 'v3', transformParams: basaltTransformEmbedParams, wrapEmbed: basaltWrapEmbed };
}
