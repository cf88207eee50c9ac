import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, wrapLanguageModel } from 'ai';
import { convertArrayToReadableStream, convertReadableStreamToArray, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { generateResult, textStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

class ProviderRateLimitError extends Error {
  override name = 'ProviderRateLimitError';
  readonly code = 'rate_limit_exceeded';
}

const params: LanguageModelV4CallOptions = { prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };

function failing(error: Error) {
  const mock = new MockLanguageModelV4({
    doGenerate: async () => {
      throw error;
    },
    doStream: async () => {
      throw error;
    },
  });
  return wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'support' }) });
}

function expectFailed(span: ReadableSpan | undefined, type: string) {
  expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  expect(span?.attributes['error.type']).toBe(type);
  expect(span?.events.map((e) => e.name)).toContain('exception');
}

describe('basaltMiddleware › errors', () => {
  it('rethrows a thrown provider error to the generateText caller as the same object', async () => {
    const t = setupTracing();
    const error = new ProviderRateLimitError('Too many requests');
    const caught = await generateText({ model: failing(error), prompt: 'Hi', maxRetries: 0 }).catch((e: unknown) => e);

    expect(caught).toBe(error);
    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) expectFailed(span, 'rate_limit_exceeded');
  });

  it('rethrows the same error inside an active trace, where the user root records it', async () => {
    const t = setupTracing();
    const error = new TypeError('bad request shape');
    const caught = await startObserve({ name: 'request', featureSlug: 'support' }, () =>
      generateText({ model: failing(error), prompt: 'Hi', maxRetries: 0 }),
    ).catch((e: unknown) => e);

    expect(caught).toBe(error);
    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    expectFailed(
      spans.find((s) => s.attributes['basalt.span.kind'] === 'generation'),
      'TypeError',
    );
  });

  it('rethrows a doStream failure as the same object and ends the span with ERROR', async () => {
    const t = setupTracing();
    const error = new ProviderRateLimitError('Too many requests');
    await expect(failing(error).doStream(params)).rejects.toBe(error);
    const generation = (await t.spans()).find((s) => s.attributes['basalt.span.kind'] === 'generation');
    expectFailed(generation, 'rate_limit_exceeded');
    expect(generation?.attributes['gen_ai.request.stream']).toBe(true);
  });
});

describe('basaltMiddleware › never breaking the call', () => {
  /** A model whose `provider` throws once the middleware reads it: every span opening fails. */
  function brokenModel() {
    const result = generateResult('v4', { text: 'still works' });
    const parts = textStream('v4', { chunks: ['still ', 'works'] });
    const mock = new MockLanguageModelV4({
      doGenerate: result,
      doStream: async () => ({ stream: convertArrayToReadableStream(parts) }),
    });
    const model = wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'support' }) });
    Object.defineProperty(mock, 'provider', {
      get() {
        throw new Error('provider getter exploded');
      },
    });
    return { model, result, parts };
  }

  it('returns the provider result object itself from doGenerate', async () => {
    setupTracing();
    const result = generateResult('v4', { text: 'same object' });
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({ doGenerate: async () => result }),
      middleware: basaltMiddleware({ featureSlug: 'support' }),
    });
    expect(await model.doGenerate(params)).toBe(result);
  });

  it('lets a generate call proceed unchanged, and warns once, when recording fails', async () => {
    const t = setupTracing();
    const { model, result } = brokenModel();
    expect(await model.doGenerate(params)).toBe(result);
    expect(await model.doGenerate(params)).toBe(result);
    expect(await t.spans()).toHaveLength(0);
    expect(t.logs.filter((line) => line.includes('provider getter exploded'))).toHaveLength(1);
  });

  it('lets a stream proceed unchanged when recording fails', async () => {
    setupTracing();
    const { model, parts } = brokenModel();
    const { stream } = await model.doStream(params);
    expect(await convertReadableStreamToArray(stream)).toEqual(parts);
  });
});
