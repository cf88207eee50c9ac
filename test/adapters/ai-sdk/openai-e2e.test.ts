import { createOpenAI } from '@ai-sdk/openai';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  APICallError,
  generateText,
  type LanguageModelMiddleware,
  stepCountIs,
  streamText,
  tool,
  wrapLanguageModel,
} from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { basaltMiddleware, basaltTools } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { type OpenAIServer, type ScriptedReply, startOpenAIServer } from '../../helpers/openai-server.js';
import { setupTracing } from '../../helpers/tracing.js';

/**
 * End to end with a real provider (`@ai-sdk/openai` 4, which pairs with ai 7) talking HTTP to a
 * local OpenAI-compatible server: what the provider sends and what Basalt exports.
 */

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Records what the provider itself threw, below the Basalt middleware. */
function errorSpy(thrown: unknown[]): LanguageModelMiddleware {
  return {
    specificationVersion: 'v4',
    async wrapGenerate({ doGenerate }) {
      try {
        return await doGenerate();
      } catch (error) {
        thrown.push(error);
        throw error;
      }
    },
  };
}

async function setup(replies: ScriptedReply[], thrown: unknown[] = []) {
  const t = setupTracing();
  server = await startOpenAIServer({ replies });
  const openai = createOpenAI({ baseURL: server.baseURL, apiKey: 'sk-test' });
  const model = wrapLanguageModel({
    model: openai.chat('gpt-4o-mini'),
    middleware: [basaltMiddleware({ featureSlug: 'support' }), errorSpy(thrown)],
  });
  return { t, model, server };
}

const generations = (spans: ReadableSpan[]) => spans.filter((s) => s.attributes['basalt.span.kind'] === 'generation');
const json = (span: ReadableSpan | undefined, key: string) => JSON.parse(String(span?.attributes[key]));

describe('basaltMiddleware with @ai-sdk/openai over HTTP', () => {
  it('records a chat completion and keeps providerOptions.basalt out of the request', async () => {
    const usage = { promptTokens: 21, completionTokens: 4, cachedTokens: 16 };
    const { t, model, server } = await setup([
      { type: 'text', text: 'Your order ships today.', usage, id: 'chatcmpl-abc' },
    ]);
    const result = await generateText({
      model,
      system: 'Be brief.',
      prompt: 'Where is my order?',
      temperature: 0.3,
      providerOptions: { basalt: { identity: { user: { id: 'u-77' } } }, openai: { user: 'end-user-77' } },
    });

    expect(result.text).toBe('Your order ships today.');
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(JSON.stringify(body)).not.toContain('basalt');
    expect(body.user).toBe('end-user-77');
    const [span] = generations(await t.spans());
    expect(span?.name).toBe('chat gpt-4o-mini');
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai', // the same value, for Basalt's JS SDK (#16)
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.response.id': 'chatcmpl-abc',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.usage.cache_read.input_tokens': 16,
      'basalt.user.id': 'u-77',
      'basalt.span.output': 'Your order ships today.',
    });
    expect(json(span, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'Be brief.' }]);
  });

  it('records an SSE stream with usage from its last chunk and the time to first chunk', async () => {
    const { t, model, server } = await setup([
      { type: 'text', text: 'Streaming works fine.', usage: { promptTokens: 9, completionTokens: 3 } },
    ]);
    const result = streamText({ model, prompt: 'Say something' });

    expect(await result.text).toBe('Streaming works fine.');
    expect(server.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const [span] = generations(await t.spans());
    expect(span?.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.id': 'chatcmpl-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 3,
      'basalt.span.output': 'Streaming works fine.',
    });
    expect(span?.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it.each(['generateText', 'streamText'] as const)('records each step of a %s tool loop under one root', async (fn) => {
    const toolCall = { id: 'call_1', name: 'order_status', arguments: { orderId: '42' } };
    const { t, model, server } = await setup([
      { type: 'tool_calls', toolCalls: [toolCall] },
      { type: 'text', text: 'Order 42 has shipped.' },
    ]);
    const tools = {
      order_status: tool({
        inputSchema: z.object({ orderId: z.string() }),
        execute: async ({ orderId }) => ({ orderId, status: 'shipped' }),
      }),
    };
    const args = { model, prompt: 'Status of order 42?', tools, stopWhen: stepCountIs(3) };
    const text = await startObserve({ name: 'support_turn', featureSlug: 'support' }, async () =>
      fn === 'generateText' ? (await generateText(args)).text : await streamText(args).text,
    );

    expect(text).toBe('Order 42 has shipped.');
    expect(server.requests).toHaveLength(2);
    const spans = await t.spans();
    const root = spans.find((s) => s.name === 'support_turn');
    const steps = generations(spans);
    expect(steps).toHaveLength(2);
    expect(steps.every((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId)).toBe(true);
    const first = steps.find((s) => s.attributes['gen_ai.response.finish_reasons']?.toString() === 'tool_call');
    expect(json(first, 'gen_ai.output.messages')[0].parts).toEqual([
      { type: 'tool_call', id: 'call_1', name: 'order_status', arguments: { orderId: '42' } },
    ]);
    expect(json(first, 'gen_ai.tool.definitions')[0]).toMatchObject({ type: 'function', name: 'order_status' });
  });

  it.each(['generateText', 'streamText'] as const)(
    'records the tool execution of a %s tool loop between its steps',
    async (fn) => {
      const toolCall = { id: 'call_1', name: 'order_status', arguments: { orderId: '42' } };
      const { t, model } = await setup([
        { type: 'tool_calls', toolCalls: [toolCall] },
        { type: 'text', text: 'Order 42 has shipped.' },
      ]);
      const tools = basaltTools({
        order_status: tool({
          inputSchema: z.object({ orderId: z.string() }),
          execute: async ({ orderId }) => ({ orderId, status: 'shipped' }),
        }),
      });
      const args = { model, prompt: 'Status of order 42?', tools, stopWhen: stepCountIs(3) };
      await startObserve({ name: 'support_turn', featureSlug: 'support' }, async () =>
        fn === 'generateText' ? (await generateText(args)).text : await streamText(args).text,
      );

      expect(await t.tree()).toBe(
        ['support_turn', '  chat gpt-4o-mini', '  execute_tool order_status', '  chat gpt-4o-mini'].join('\n'),
      );
      const execution = (await t.spans()).find((s) => s.name === 'execute_tool order_status');
      expect(execution?.attributes).toMatchObject({
        'gen_ai.tool.call.id': 'call_1',
        'basalt.span.input': '{"orderId":"42"}',
        'basalt.span.output': '{"orderId":"42","status":"shipped"}',
      });
    },
  );

  it('rethrows the HTTP 500 error the provider threw, as the same object, and records it', async () => {
    const thrown: unknown[] = [];
    const { t, model } = await setup([{ type: 'error', status: 500, message: 'The server had an error' }], thrown);
    const caught = await generateText({ model, prompt: 'Hi', maxRetries: 0 }).catch((error: unknown) => error);

    expect(thrown).toHaveLength(1);
    expect(caught).toBe(thrown[0]);
    expect(APICallError.isInstance(caught)).toBe(true);
    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes['error.type']).toBe('AI_APICallError');
      expect(span.events.some((e) => e.name === 'exception')).toBe(true);
    }
  });
});
