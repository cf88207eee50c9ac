import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import {
  type BasaltMiddlewareOptions,
  basaltEmbeddingMiddleware,
  basaltMiddleware,
} from '../../../src/adapters/ai-sdk/index.js';
import { BasaltConfigError, type BasaltOptions, observe, startObserve } from '../../../src/index.js';
import { generateResult } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

type DoGenerate = NonNullable<ConstructorParameters<typeof MockLanguageModelV4>[0]>['doGenerate'];

function setup(
  options: Partial<BasaltMiddlewareOptions> = {},
  doGenerate: DoGenerate = generateResult('v4', { text: 'Hi there' }),
  basalt: BasaltOptions = {},
) {
  const t = setupTracing(basalt);
  const mock = new MockLanguageModelV4({ provider: 'openai.chat', modelId: 'gpt-4o', doGenerate });
  const middleware = basaltMiddleware({ featureSlug: 'support', ...options });
  return { t, mock, model: wrapLanguageModel({ model: mock, middleware }) };
}

const attr = (span: ReadableSpan | undefined, key: string) => span?.attributes[key];
const json = (span: ReadableSpan | undefined, key: string) => JSON.parse(String(span?.attributes[key]));
const generation = (spans: ReadableSpan[]) => spans.find((s) => attr(s, 'basalt.span.kind') === 'generation');
const root = (spans: ReadableSpan[]) => spans.find((s) => attr(s, 'basalt.root') === true);

describe('basaltMiddleware › trace shape', () => {
  it('opens a root and a generation child of it outside any Basalt trace', async () => {
    const { t, model } = setup();
    await generateText({ model, prompt: 'Hello' });

    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    const [r, g] = [root(spans), generation(spans)];
    expect(r?.name).toBe('support');
    expect(r?.attributes).toMatchObject({ 'basalt.span.kind': 'basalt_trace', 'basalt.span.feature_slug': 'support' });
    expect(g?.name).toBe('chat gpt-4o');
    expect(g?.kind).toBe(SpanKind.CLIENT);
    expect(g?.parentSpanContext?.spanId).toBe(r?.spanContext().spanId);
    expect(g?.spanContext().traceId).toBe(r?.spanContext().traceId);
    expect(g?.attributes).toMatchObject({
      'basalt.span.kind': 'generation',
      'basalt.span.feature_slug': 'support',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai', // the same value, for Basalt's JS SDK (#16)
      'gen_ai.request.model': 'gpt-4o',
    });
    expect(attr(g, 'gen_ai.request.stream')).toBeUndefined();
    expect(attr(r, 'basalt.span.output')).toBe('Hi there');
  });

  it('carries the configured name, experiment, identity and metadata on the root it opens', async () => {
    const experiment = { id: 'exp-1', name: 'Prompt v2', featureSlug: 'support', createdAt: new Date(0) };
    const identity = { user: { id: 'u-1', name: 'Ada' }, organization: { id: 'o-1', name: 'ACME' } };
    const { t, model } = setup({ name: 'answer_ticket', experiment, identity, metadata: { variant: 'b' } });
    await generateText({ model, prompt: 'Hello' });

    const spans = await t.spans();
    expect(root(spans)?.name).toBe('answer_ticket');
    expect(json(root(spans), 'basalt.metadata')).toEqual({ variant: 'b' });
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'basalt.experiment.id': 'exp-1',
        'basalt.experiment.name': 'Prompt v2',
        'basalt.user.id': 'u-1',
        'basalt.user.name': 'Ada',
        'basalt.organization.id': 'o-1',
        'basalt.span.should_evaluate': true,
      });
    }
  });

  it('makes only a generation child inside an active Basalt trace', async () => {
    const { t, model } = setup({ featureSlug: 'middleware-slug', identity: { user: { id: 'ignored' } } });
    await startObserve({ name: 'handle_request', featureSlug: 'support', identity: { user: { id: 'u-9' } } }, () =>
      generateText({ model, prompt: 'Hello' }),
    );

    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    const [r, g] = [root(spans), generation(spans)];
    expect(r?.name).toBe('handle_request');
    expect(g?.parentSpanContext?.spanId).toBe(r?.spanContext().spanId);
    expect(g?.attributes).toMatchObject({ 'basalt.span.feature_slug': 'support', 'basalt.user.id': 'u-9' });
  });

  it('nests the spans the provider starts during the call under the generation span', async () => {
    const doGenerate = () =>
      observe({ name: 'http POST', kind: 'span' }, async () => generateResult('v4', { text: 'ok' }));
    const { t, model } = setup({}, doGenerate);
    await generateText({ model, prompt: 'Hello' });

    const spans = await t.spans();
    const http = spans.find((s) => s.name === 'http POST');
    expect(spans).toHaveLength(3);
    expect(http?.parentSpanContext?.spanId).toBe(generation(spans)?.spanContext().spanId);
  });

  it('applies per-call providerOptions.basalt over the middleware options', async () => {
    const { t, model } = setup({ identity: { organization: { id: 'o-1' } }, metadata: { region: 'eu' } });
    await generateText({
      model,
      prompt: 'Hello',
      providerOptions: {
        basalt: {
          featureSlug: 'billing',
          name: 'refund_question',
          experiment: 'exp-42',
          identity: { user: { id: 'u-2' } },
          metadata: { channel: 'email' },
        },
      },
    });

    const spans = await t.spans();
    expect(root(spans)?.name).toBe('refund_question');
    expect(json(root(spans), 'basalt.metadata')).toEqual({ region: 'eu', channel: 'email' });
    expect(generation(spans)?.attributes).toMatchObject({
      'basalt.span.feature_slug': 'billing',
      'basalt.experiment.id': 'exp-42',
      'basalt.user.id': 'u-2',
      'basalt.organization.id': 'o-1',
    });
  });

  it('removes providerOptions.basalt and nothing else before the provider sees the call', async () => {
    const { mock, model } = setup();
    await generateText({
      model,
      prompt: 'Hello',
      providerOptions: { basalt: { identity: { user: { id: 'u-2' } } }, openai: { user: 'end-user' } },
    });
    expect(mock.doGenerateCalls[0]?.providerOptions).toEqual({ openai: { user: 'end-user' } });
  });

  it('throws a config error naming the missing feature slug where the middleware is made', () => {
    setupTracing();
    expect(() => basaltMiddleware({ featureSlug: '' })).toThrow(BasaltConfigError);
    expect(() => basaltMiddleware({} as never)).toThrow(/basaltMiddleware needs a featureSlug/);
    expect(() => basaltEmbeddingMiddleware({ featureSlug: ' ' })).toThrow(
      /basaltEmbeddingMiddleware needs a featureSlug/,
    );
    expect(() => basaltMiddleware({ featureSlug: 'f', evaluationConfig: { sampleRate: 3 } })).toThrow(/sampleRate/);
  });
});
