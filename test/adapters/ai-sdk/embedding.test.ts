import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as ai7 from 'ai';
import * as ai7test from 'ai/test';
import * as ai6 from 'ai6';
import * as ai6test from 'ai6/test';
import { describe, expect, it } from 'vitest';
import { type BasaltEmbeddingModelMiddleware, basaltEmbeddingMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { setupTracing } from '../../helpers/tracing.js';

type ProviderOptions = Parameters<typeof ai7.embed>[0]['providerOptions'];
type ProviderOptions6 = Parameters<typeof ai6.embed>[0]['providerOptions'];

interface EmbeddingMajor {
  name: string;
  /** A wrapped mock that returns 4-dimensional vectors and 3 tokens per value, or throws `error`. */
  model(
    middleware: BasaltEmbeddingModelMiddleware,
    error?: Error,
  ): {
    embed(value: string, providerOptions?: ProviderOptions): Promise<unknown>;
    embedMany(values: string[]): Promise<unknown>;
    calls: Array<{ providerOptions?: unknown }>;
  };
}

const embedding = (values: unknown[]) => ({
  embeddings: values.map((_, i) => [i, 0.1, 0.2, 0.3]),
  usage: { tokens: values.length * 3 },
  warnings: [],
});

const majors: EmbeddingMajor[] = [
  {
    name: 'ai 6',
    model(middleware, error) {
      const mock = new ai6test.MockEmbeddingModelV3({
        maxEmbeddingsPerCall: 2,
        doEmbed: async ({ values }) => {
          if (error) throw error;
          return embedding(values);
        },
      });
      const model = ai6.wrapEmbeddingModel({ model: mock, middleware });
      return {
        calls: mock.doEmbedCalls,
        embed: (value, providerOptions) =>
          ai6.embed({ model, value, providerOptions: providerOptions as ProviderOptions6, maxRetries: 0 }),
        embedMany: (values) => ai6.embedMany({ model, values, maxRetries: 0 }),
      };
    },
  },
  {
    name: 'ai 7',
    model(middleware, error) {
      const mock = new ai7test.MockEmbeddingModelV4({
        maxEmbeddingsPerCall: 2,
        doEmbed: async ({ values }) => {
          if (error) throw error;
          return embedding(values);
        },
      });
      const model = ai7.wrapEmbeddingModel({ model: mock, middleware });
      return {
        calls: mock.doEmbedCalls,
        embed: (value, providerOptions) => ai7.embed({ model, value, providerOptions, maxRetries: 0 }),
        embedMany: (values) => ai7.embedMany({ model, values, maxRetries: 0 }),
      };
    },
  },
];

const embeddings = (spans: ReadableSpan[]) =>
  spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'embeddings');

describe.each(majors)('basaltEmbeddingMiddleware with $name', (major) => {
  it('records an embed call as an embeddings generation span under the root it opens', async () => {
    const t = setupTracing();
    const { embed } = major.model(basaltEmbeddingMiddleware({ featureSlug: 'search' }));
    await embed('refund policy');

    const spans = await t.spans();
    const [span] = embeddings(spans);
    const root = spans.find((s) => s.attributes['basalt.root'] === true);
    expect(spans).toHaveLength(2);
    expect(span?.name).toBe('embeddings mock-model-id');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(span?.attributes).toMatchObject({
      'basalt.span.kind': 'generation',
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'mock-provider',
      'gen_ai.system': 'mock-provider', // the same value, for Basalt's JS SDK (#16)
      'gen_ai.request.model': 'mock-model-id',
      'gen_ai.embeddings.input_count': 1,
      'gen_ai.usage.input_tokens': 3,
      'basalt.span.input': '["refund policy"]',
    });
    expect(JSON.parse(String(span?.attributes['basalt.span.output']))).toEqual({ embeddings: 1, dimensions: 4 });
  });

  it('gives one span per model call of embedMany inside an active trace', async () => {
    const t = setupTracing();
    const { embedMany } = major.model(basaltEmbeddingMiddleware({ featureSlug: 'search' }));
    await startObserve({ name: 'index_docs', featureSlug: 'search' }, () => embedMany(['a', 'b', 'c']));

    const spans = await t.spans();
    const root = spans.find((s) => s.name === 'index_docs');
    const calls = embeddings(spans);
    expect(calls.map((s) => s.attributes['gen_ai.embeddings.input_count']).sort()).toEqual([1, 2]);
    expect(calls.every((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId)).toBe(true);
    expect(spans).toHaveLength(3);
  });

  it('applies providerOptions.basalt and removes it before the provider sees the call', async () => {
    const t = setupTracing();
    const model = major.model(basaltEmbeddingMiddleware({ featureSlug: 'search' }));
    await model.embed('q', { basalt: { identity: { user: { id: 'u-5' } } }, other: { keep: { it: 'yes' } } });

    expect(model.calls[0]?.providerOptions).toEqual({ other: { keep: { it: 'yes' } } });
    for (const span of await t.spans()) expect(span.attributes['basalt.user.id']).toBe('u-5');
  });

  it('rethrows a provider error as the same object and ends the span with ERROR', async () => {
    const t = setupTracing();
    const error = new RangeError('input too long');
    const { embed } = major.model(basaltEmbeddingMiddleware({ featureSlug: 'search' }), error);
    await expect(embed('x'.repeat(10))).rejects.toBe(error);

    const [span] = embeddings(await t.spans());
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('RangeError');
  });
});
