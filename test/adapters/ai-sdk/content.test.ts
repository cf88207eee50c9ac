import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, jsonSchema, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import type { BasaltOptions } from '../../../src/index.js';
import { type GenerateFixture, generateResult } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

function setup(fixture: GenerateFixture = { text: 'Hi there' }, basalt: BasaltOptions = {}) {
  const t = setupTracing(basalt);
  const mock = new MockLanguageModelV4({
    provider: 'anthropic.messages',
    modelId: 'claude-x',
    doGenerate: generateResult('v4', fixture),
    // URLs the model takes as they are, so the AI SDK downloads nothing.
    supportedUrls: { 'image/*': [/^https:\/\/example\.com\//] },
  });
  const model = wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'support' }) });
  const generation = async () => {
    const spans = await t.spans();
    return spans.find((s) => s.attributes['basalt.span.kind'] === 'generation') as ReadableSpan;
  };
  return { t, mock, model, generation };
}

const json = (span: ReadableSpan, key: string) => JSON.parse(String(span.attributes[key]));

const lookup = tool({
  description: 'Looks an order up',
  inputSchema: jsonSchema<{ orderId: string }>({ type: 'object', properties: { orderId: { type: 'string' } } }),
});

describe('basaltMiddleware › recorded request', () => {
  it('records input messages, system instructions, tool definitions and request parameters', async () => {
    const { model, generation } = setup();
    await generateText({
      model,
      system: 'You are a support agent.',
      messages: [
        { role: 'user', content: 'Where is my order?' },
        { role: 'assistant', content: 'Which order?' },
        { role: 'user', content: 'Order 42.' },
      ],
      tools: { lookup },
      temperature: 0.2,
      maxOutputTokens: 256,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      seed: 7,
      presencePenalty: 0.1,
      frequencyPenalty: 0.3,
    });

    const span = await generation();
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 7,
      'gen_ai.request.presence_penalty': 0.1,
      'gen_ai.request.frequency_penalty': 0.3,
    });
    expect(json(span, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'You are a support agent.' }]);
    expect(json(span, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Which order?' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Order 42.' }] },
    ]);
    expect(json(span, 'gen_ai.tool.definitions')).toEqual([
      {
        type: 'function',
        name: 'lookup',
        description: 'Looks an order up',
        parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
      },
    ]);
    expect(json(span, 'basalt.span.input')[0]).toEqual({
      role: 'system',
      parts: [{ type: 'text', content: 'You are a support agent.' }],
    });
  });

  it('summarises image and file parts instead of inlining their bytes', async () => {
    const { model, generation } = setup();
    const image = new Uint8Array(4096).fill(1);
    const pdf = Buffer.from(new Uint8Array(3000).fill(2)).toString('base64');
    await generateText({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is on these?' },
            { type: 'file', data: image, mediaType: 'image/png' },
            { type: 'file', data: pdf, mediaType: 'application/pdf' },
            { type: 'file', data: new URL('https://example.com/cat.png'), mediaType: 'image/png' },
          ],
        },
      ],
    });

    const span = await generation();
    const raw = String(span.attributes['gen_ai.input.messages']);
    expect(raw).not.toContain(pdf.slice(0, 40));
    expect(raw).not.toContain('1,1,1,1');
    const [message] = json(span, 'gen_ai.input.messages');
    expect(message.parts[0]).toEqual({ type: 'text', content: 'What is on these?' });
    expect(message.parts[1]).toMatchObject({
      type: 'blob',
      modality: 'image',
      content: expect.stringContaining('4096 bytes'),
    });
    expect(message.parts[2]).toMatchObject({ type: 'blob', modality: 'file', mime_type: 'application/pdf' });
    expect(message.parts[3]).toMatchObject({ type: 'uri', uri: 'https://example.com/cat.png' });
    expect(String(span.attributes['basalt.span.input'])).not.toContain(pdf.slice(0, 40));
  });
});

describe('basaltMiddleware › recorded response', () => {
  it('records output text, reasoning, tool calls, usage, finish reason and response metadata', async () => {
    const { model, generation } = setup({
      text: 'Let me check.',
      reasoning: 'The user wants order 42.',
      toolCalls: [{ toolCallId: 'call-9', toolName: 'lookup', input: { orderId: '42' } }],
      usage: { input: 100, output: 20, cacheRead: 64, cacheWrite: 16, reasoning: 6 },
      responseId: 'msg_123',
      modelId: 'claude-x-2025',
    });
    await generateText({ model, prompt: 'Where is order 42?', tools: { lookup } });

    const span = await generation();
    expect(span.attributes).toMatchObject({
      'gen_ai.response.id': 'msg_123',
      'gen_ai.response.model': 'claude-x-2025',
      'gen_ai.response.finish_reasons': ['tool_call'],
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 20,
      'gen_ai.usage.cache_read.input_tokens': 64,
      'gen_ai.usage.cache_creation.input_tokens': 16,
      'gen_ai.usage.reasoning.output_tokens': 6,
      'basalt.span.output': 'Let me check.',
    });
    expect(json(span, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'The user wants order 42.' },
          { type: 'text', content: 'Let me check.' },
          { type: 'tool_call', id: 'call-9', name: 'lookup', arguments: { orderId: '42' } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('records the tool calls as the output when the model wrote no text', async () => {
    const { model, generation } = setup({
      toolCalls: [{ toolCallId: 'c1', toolName: 'lookup', input: { orderId: '7' } }],
    });
    await generateText({ model, prompt: 'Order 7?', tools: { lookup } });
    expect(json(await generation(), 'basalt.span.output')).toEqual([
      { type: 'tool_call', id: 'c1', name: 'lookup', arguments: { orderId: '7' } },
    ]);
  });

  it('keeps model, usage and timing but no content when recordInputs and recordOutputs are false', async () => {
    const { t, model, generation } = setup(
      { text: 'secret answer' },
      { telemetry: { recordInputs: false, recordOutputs: false } },
    );
    await generateText({ model, system: 'secret system', prompt: 'secret question' });

    const span = await generation();
    for (const key of [
      'gen_ai.input.messages',
      'gen_ai.system_instructions',
      'gen_ai.output.messages',
      'basalt.span.input',
      'basalt.span.output',
    ]) {
      expect(span.attributes[key]).toBeUndefined();
    }
    expect(span.attributes).toMatchObject({ 'gen_ai.request.model': 'claude-x', 'gen_ai.usage.input_tokens': 10 });
    expect(JSON.stringify((await t.spans()).map((s) => s.attributes))).not.toContain('secret');
  });

  it('applies the mask to the content attributes', async () => {
    const mask = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('4111-1111', '[card]'));
    const { model, generation } = setup({ text: 'Card 4111-1111 noted.' }, { telemetry: { mask } });
    await generateText({ model, prompt: 'My card is 4111-1111' });

    const span = await generation();
    expect(JSON.stringify(span.attributes)).not.toContain('4111-1111');
    expect(String(span.attributes['gen_ai.input.messages'])).toContain('[card]');
  });
});
