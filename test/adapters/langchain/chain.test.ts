import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { kits } from './kits.js';

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const json = (span: ReadableSpan, key: string) => JSON.parse(String(span.attributes[key]));

describe.each(kits)('BasaltCallbackHandler › @langchain/core $major', (kit) => {
  let handler: BasaltCallbackHandler | undefined;

  afterEach(() => {
    // No scenario leaves a run behind.
    expect(handler?.openRunCount).toBe(0);
    handler = undefined;
  });

  it('records prompt | model | parser as a root with one child span per step', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', identity: { user: { id: 'u1' } } });

    const answer = await kit.chain(['Paris']).invoke({ question: 'Capital of France?' }, { callbacks: [handler] });

    expect(answer).toBe('Paris');
    expect(await t.tree()).toBe(['RunnableSequence', '  ChatPromptTemplate', '  chat', '  StrOutputParser'].join('\n'));
    const root = await t.span('RunnableSequence');
    expect(root.attributes).toMatchObject({
      'basalt.root': true,
      'basalt.span.kind': 'basalt_trace',
      'basalt.span.feature_slug': 'support',
      'basalt.user.id': 'u1',
      'basalt.span.output': 'Paris',
    });
    expect(json(root, 'basalt.span.input')).toEqual({ question: 'Capital of France?' });
    const chat = await t.span('chat');
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(chat)).toBe(idOf(root));
    expect(chat.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(chat.attributes).toMatchObject({
      'basalt.trace': true,
      'basalt.span.kind': 'generation',
      'basalt.user.id': 'u1',
      'gen_ai.operation.name': 'chat',
      'basalt.span.output': 'Paris',
    });
    expect(chat.attributes['gen_ai.request.stream']).toBeUndefined();
    expect(json(chat, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] },
    ]);
    expect(json(chat, 'gen_ai.system_instructions')).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(json(chat, 'basalt.span.input')).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] },
    ]);
    expect(json(chat, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Paris' }] },
    ]);
    expect((await t.span('StrOutputParser')).attributes['basalt.span.kind']).toBe('span');
  });

  it('records the stream flag, time to first chunk and deferred inputs when the chain streams', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    const chunks: string[] = [];
    for await (const chunk of await kit
      .chain(['Rome'])
      .stream({ question: 'Capital of Italy?' }, { callbacks: [handler] })) {
      chunks.push(chunk);
    }

    expect(chunks.join('')).toBe('Rome');
    const chat = await t.span('chat');
    expect(chat.attributes['gen_ai.request.stream']).toBe(true);
    const ttfc = chat.attributes['gen_ai.response.time_to_first_chunk'];
    expect(typeof ttfc).toBe('number');
    expect(ttfc).toBeGreaterThanOrEqual(0);
    expect(chat.attributes['basalt.span.output']).toBe('Rome');
    const parser = await t.span('StrOutputParser');
    expect(parser.attributes['basalt.span.output']).toBe('Rome');
    expect(parser.attributes['basalt.span.input']).toBeDefined();
    expect((await t.span('RunnableSequence')).attributes['basalt.span.output']).toBe('Rome');
  });

  it('ends the model span and the root with ERROR when the model throws', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    await expect(kit.failingChain('model down').invoke({ question: 'q' }, { callbacks: [handler] })).rejects.toThrow(
      'model down',
    );

    for (const name of ['chat', 'RunnableSequence']) {
      const span = await t.span(name);
      expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'model down' });
      expect(span.events.map((e) => e.name)).toContain('exception');
      expect(span.attributes['error.type']).toBe('Error');
    }
    expect((await t.span('ChatPromptTemplate')).status.code).toBe(SpanStatusCode.UNSET);
  });

  it("reads usage, response model, id and finish reason from the model's message", async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'ask' });

    await kit.usageModel().invoke('What is six times seven?', { callbacks: [handler] });

    // A top-level model run gets a root of its own, so the generation keeps its kind.
    expect(await t.tree()).toBe('ask\n  chat');
    const chat = await t.span('chat');
    expect(chat.attributes).toMatchObject({
      'basalt.span.kind': 'generation',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'gen_ai.response.model': 'usage-model-2025',
      'gen_ai.response.id': 'resp_123',
      'gen_ai.response.finish_reasons': ['length'],
      'basalt.span.output': 'forty-two',
    });
    expect(json(chat, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'forty-two' }], finish_reason: 'length' },
    ]);
    const root = await t.span('ask');
    expect(root.attributes).toMatchObject({ 'basalt.root': true, 'basalt.span.output': 'forty-two' });
  });

  it('records an LLM run as a text_completion generation', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    expect(await kit.llm('ok').invoke('Say ok', { callbacks: [handler] })).toBe('ok');

    const span = await t.span('text_completion');
    expect(span.attributes).toMatchObject({
      'basalt.span.kind': 'generation',
      'gen_ai.operation.name': 'text_completion',
      'basalt.span.output': 'ok',
    });
    expect(json(span, 'gen_ai.input.messages')).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Say ok' }] },
    ]);
  });

  it('records a tool run as a tool span with its input, output and tool call id', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'tools' });

    const call = { id: 'call_1', name: 'add', args: { a: 2, b: 3 }, type: 'tool_call' };
    await kit.addTool().invoke(call, { callbacks: [handler] });

    expect(await t.tree()).toBe('tools\n  add');
    const span = await t.span('add');
    expect(span.attributes).toMatchObject({
      'basalt.span.kind': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'add',
      'gen_ai.tool.call.id': 'call_1',
      'basalt.span.output': '5',
    });
    expect(JSON.parse(String(span.attributes['basalt.span.input']))).toEqual({ a: 2, b: 3 });
  });

  it('records a retriever run as a retrieval span with the query and the documents', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'search' });

    await kit.retriever(['doc one', 'doc two']).invoke('refund policy', { callbacks: [handler] });

    const span = (await t.spans()).find((s) => s.attributes['basalt.span.kind'] === 'retrieval');
    expect(span?.attributes['basalt.span.input']).toBe('refund policy');
    expect(JSON.parse(String(span?.attributes['basalt.span.output']))).toEqual([
      expect.objectContaining({ pageContent: 'doc one', metadata: { rank: 0 } }),
      expect.objectContaining({ pageContent: 'doc two', metadata: { rank: 1 } }),
    ]);
  });

  it('records agent actions and the agent finish as events on the agent span', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    const agent = await kit.agentRun([handler]);
    await agent.action('calculator', '2 + 2');
    await agent.finish({ output: '4' });

    const span = await t.span('AgentExecutor');
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      ['agent_action', { 'gen_ai.tool.name': 'calculator', 'basalt.span.input': '2 + 2' }],
      ['agent_finish', { 'basalt.span.output': '{"output":"4"}' }],
    ]);
  });
});
