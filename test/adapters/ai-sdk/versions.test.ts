import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { textStream, toolCallStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';
import { MAJORS } from './majors.js';

const attr = (span: ReadableSpan, key: string) => span.attributes[key];
const json = (span: ReadableSpan, key: string) => JSON.parse(String(span.attributes[key]));
const generations = (spans: ReadableSpan[]) => spans.filter((s) => attr(s, 'basalt.span.kind') === 'generation');
const roots = (spans: ReadableSpan[]) => spans.filter((s) => attr(s, 'basalt.root') === true);

const toolCall = { toolCallId: 'call-1', toolName: 'weather', input: { city: 'Paris' } };

describe.each(MAJORS)('basaltMiddleware with $name (spec $spec)', (major) => {
  it('records a generateText call as a root with one generation child', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'weather-bot' });
    const usage = { input: 40, output: 8, cacheRead: 30, reasoning: 3 };
    const out = await major.generate(middleware, [{ text: 'Sunny.', reasoning: 'Look outside.', usage }]);

    expect(out.text).toBe('Sunny.');
    const spans = await t.spans();
    const [root] = roots(spans);
    const [generation] = generations(spans);
    expect(spans).toHaveLength(2);
    expect(generation?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(generation?.kind).toBe(SpanKind.CLIENT);
    expect(generation?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.usage.cache_read.input_tokens': 30,
      'gen_ai.usage.reasoning.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.response.id': 'resp-1',
      'gen_ai.response.model': 'mock-model-v1',
      'basalt.span.output': 'Sunny.',
    });
    expect(json(generation as ReadableSpan, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Look outside.' },
          { type: 'text', content: 'Sunny.' },
        ],
        finish_reason: 'stop',
      },
    ]);
  });

  it('records a streamText call with its output, usage, finish reason and time to first chunk', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'weather-bot' });
    const parts = textStream(major.spec, {
      chunks: ['Sun', 'ny', '.'],
      usage: { input: 12, output: 3 },
      finish: 'length',
    });
    const out = await major.stream(middleware, [parts]);

    expect(out.text).toBe('Sunny.');
    const [generation] = generations(await t.spans());
    expect(generation?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.response.id': 'resp-1',
      'basalt.span.output': 'Sunny.',
    });
    expect(attr(generation as ReadableSpan, 'gen_ai.response.time_to_first_chunk')).toBeGreaterThanOrEqual(0);
    expect(generation?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('gives one generation span per step of a generateText tool loop under one root', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'ignored-inside-a-trace' });
    await startObserve({ name: 'ask_weather', featureSlug: 'weather-bot' }, () =>
      major.generate(middleware, [{ toolCalls: [toolCall] }, { text: 'It is sunny in Paris.' }], { tools: true }),
    );

    const spans = await t.spans();
    const [root] = roots(spans);
    const steps = generations(spans);
    expect(root?.name).toBe('ask_weather');
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      expect(step.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
      expect(step.spanContext().traceId).toBe(root?.spanContext().traceId);
      expect(attr(step, 'basalt.span.feature_slug')).toBe('weather-bot');
    }
    const [first, second] = steps.sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(attr(first as ReadableSpan, 'gen_ai.response.finish_reasons')).toEqual(['tool_call']);
    expect(json(first as ReadableSpan, 'gen_ai.output.messages')[0].parts).toEqual([
      { type: 'tool_call', id: 'call-1', name: 'weather', arguments: { city: 'Paris' } },
    ]);
    const secondInput = JSON.stringify(json(second as ReadableSpan, 'gen_ai.input.messages'));
    expect(secondInput).toContain('"type":"tool_call_response"');
    expect(secondInput).toContain('Sunny in Paris');
    expect(json(first as ReadableSpan, 'gen_ai.tool.definitions')).toMatchObject([
      { type: 'function', name: 'weather' },
    ]);
  });

  it('gives one generation span per step of a streamText tool loop under one root', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'weather-bot' });
    const steps = [toolCallStream(major.spec, toolCall), textStream(major.spec, { chunks: ['It is sunny.'] })];
    const out = await startObserve({ name: 'ask_weather', featureSlug: 'weather-bot' }, () =>
      major.stream(middleware, steps, { tools: true }),
    );

    expect(out.text).toBe('It is sunny.');
    const spans = await t.spans();
    const [root] = roots(spans);
    const streamed = generations(spans);
    expect(streamed).toHaveLength(2);
    expect(streamed.every((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId)).toBe(true);
    const withToolCall = streamed.find((s) => String(attr(s, 'gen_ai.output.messages')).includes('tool_call'));
    expect(json(withToolCall as ReadableSpan, 'gen_ai.output.messages')[0]).toMatchObject({
      parts: [{ type: 'tool_call', id: 'call-1', name: 'weather', arguments: { city: 'Paris' } }],
      finish_reason: 'tool_call',
    });
  });

  it('applies providerOptions.basalt and removes it before the provider sees the call', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'weather-bot', identity: { organization: { id: 'org-1' } } });
    const providerOptions = {
      basalt: { identity: { user: { id: 'user-7' } }, name: 'per_call' },
      other: { keep: 'me' },
    };
    const out = await major.generate(middleware, [{ text: 'ok' }], { providerOptions });

    expect(out.providerCalls[0]?.providerOptions).toEqual({ other: { keep: 'me' } });
    const spans = await t.spans();
    const [root] = roots(spans);
    expect(root?.name).toBe('per_call');
    for (const span of spans) {
      expect(attr(span, 'basalt.user.id')).toBe('user-7');
      expect(attr(span, 'basalt.organization.id')).toBe('org-1');
    }
  });
});
