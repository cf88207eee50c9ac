import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { type OpenAIServer, type ScriptedReply, startOpenAIServer } from '../../helpers/openai-server.js';
import { setupTracing } from '../../helpers/tracing.js';

// @langchain/openai 1.x runs on @langchain/core 1.x: the wire test covers that major.
describe('BasaltCallbackHandler › ChatOpenAI against an OpenAI-compatible server', () => {
  let server: OpenAIServer | undefined;
  let handler: BasaltCallbackHandler | undefined;

  afterEach(async () => {
    expect(handler?.openRunCount).toBe(0);
    handler = undefined;
    await server?.close();
    server = undefined;
  });

  async function model(replies: ScriptedReply[]) {
    server = await startOpenAIServer({ replies, chunkDelayMs: 5 });
    return new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: 'test-key',
      temperature: 0.2,
      maxTokens: 64,
      maxRetries: 0,
      configuration: { baseURL: server.baseURL },
    });
  }

  const usage = { promptTokens: 21, completionTokens: 4, cachedTokens: 5 };

  it('records the GenAI fields of a chat completion invoked through a chain', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const chat = await model([{ type: 'text', text: 'Reset it in Settings.', id: 'chatcmpl-abc', usage }]);
    const chain = ChatPromptTemplate.fromMessages([
      ['system', 'You are support.'],
      ['human', '{question}'],
    ])
      .pipe(chat)
      .pipe(new StringOutputParser());

    const answer = await chain.invoke(
      { question: 'How do I reset my password?' },
      { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'u-1' } } } } },
    );

    expect(answer).toBe('Reset it in Settings.');
    expect(server?.requests).toHaveLength(1);
    const span = await t.span('chat gpt-4o-mini');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'basalt.span.kind': 'generation',
      'basalt.user.id': 'u-1',
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai', // the same value, for Basalt's JS SDK (#16)
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.id': 'chatcmpl-abc',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.usage.cache_read.input_tokens': 5,
      'basalt.span.output': 'Reset it in Settings.',
    });
    expect(span.attributes['gen_ai.request.stream']).toBeUndefined();
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Reset it in Settings.' }], finish_reason: 'stop' },
    ]);
  });

  it('records time to first chunk, usage and finish reason of a streamed completion', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'stream' });
    const chat = await model([{ type: 'text', text: 'one two three', finishReason: 'length', usage }]);

    let text = '';
    for await (const chunk of await chat.stream('Count.', { callbacks: [handler] })) text += String(chunk.content);

    expect(text).toBe('one two three');
    expect(await t.tree()).toBe('stream\n  chat gpt-4o-mini');
    const span = await t.span('chat gpt-4o-mini');
    expect(span.attributes).toMatchObject({
      'gen_ai.request.stream': true,
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 4,
      'basalt.span.output': 'one two three',
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
  });

  it('records tool definitions and the tool calls the model makes', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const add = tool(({ a, b }: { a: number; b: number }) => String(a + b), {
      name: 'add',
      description: 'Adds two numbers.',
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    const chat = await model([
      { type: 'tool_calls', toolCalls: [{ id: 'call_7', name: 'add', arguments: { a: 2, b: 3 } }] },
    ]);

    const message = await chat.bindTools([add]).invoke('What is 2 + 3?', { callbacks: [handler] });
    const call = message.tool_calls?.[0];
    if (!call) throw new Error('the model made no tool call');
    await add.invoke({ ...call, type: 'tool_call' }, { callbacks: [handler] });

    const span = await t.span('chat gpt-4o-mini');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_call']);
    expect(JSON.parse(String(span.attributes['gen_ai.tool.definitions']))).toEqual([
      expect.objectContaining({ type: 'function', name: 'add', description: 'Adds two numbers.' }),
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_7', name: 'add', arguments: { a: 2, b: 3 } }],
        finish_reason: 'tool_call',
      },
    ]);
    const toolSpan = (await t.spans()).find((s) => s.attributes['basalt.span.kind'] === 'tool');
    expect(toolSpan?.attributes).toMatchObject({ 'gen_ai.tool.call.id': 'call_7', 'basalt.span.output': '5' });
  });

  it('ends the generation with ERROR when the server fails', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'failing' });
    const chat = await model([{ type: 'error', status: 500, message: 'upstream exploded' }]);

    await expect(chat.invoke('Hi', { callbacks: [handler] })).rejects.toThrow(/upstream exploded/);

    for (const name of ['chat gpt-4o-mini', 'failing']) {
      const span = await t.span(name);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.events.map((e) => e.name)).toContain('exception');
    }
  });
});
