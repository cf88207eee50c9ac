import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { Annotation, END, interrupt, MemorySaver, START, StateGraph } from '@langchain/langgraph';
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { setupTracing } from '../../helpers/tracing.js';

// LangGraph 1.x runs on @langchain/core 1.x only.
const State = Annotation.Root({
  question: Annotation<string>(),
  context: Annotation<string>(),
  answer: Annotation<string>(),
});

function twoNodeGraph(answers: string[]) {
  const model = new FakeListChatModel({ responses: answers });
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'Context: {context}'],
    ['human', '{question}'],
  ]);
  return new StateGraph(State)
    .addNode('retrieve', async (state: typeof State.State) => ({ context: `notes about ${state.question}` }))
    .addNode('respond', async (state: typeof State.State) => {
      const message = await prompt.pipe(model).invoke({ question: state.question, context: state.context });
      return { answer: String(message.content) };
    })
    .addEdge(START, 'retrieve')
    .addEdge('retrieve', 'respond')
    .addEdge('respond', END)
    .compile();
}

describe('BasaltCallbackHandler › LangGraph', () => {
  it('records a graph as a root with a span per node and the model call under its node', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    const state = await twoNodeGraph(['Use the refund form.']).invoke(
      { question: 'refunds' },
      { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'u-9' } } } } },
    );

    expect(state.answer).toBe('Use the refund form.');
    // `__start__` is tagged langsmith:hidden: no span, its children (none) would go to the graph.
    expect(await t.tree()).toBe(
      ['LangGraph', '  retrieve', '  respond', '    RunnableSequence', '      ChatPromptTemplate', '      chat'].join(
        '\n',
      ),
    );
    const root = await t.span('LangGraph');
    expect(root.attributes).toMatchObject({ 'basalt.root': true, 'basalt.user.id': 'u-9' });
    expect(JSON.parse(String(root.attributes['basalt.span.output']))).toMatchObject({
      answer: 'Use the refund form.',
    });
    const respondNode = await t.span('respond');
    expect(respondNode.attributes).toMatchObject({ 'basalt.span.kind': 'span', 'basalt.user.id': 'u-9' });
    const chat = await t.span('chat');
    expect(chat.attributes).toMatchObject({ 'basalt.span.kind': 'generation', 'basalt.user.id': 'u-9' });
    expect(String(chat.attributes['gen_ai.system_instructions'])).toContain('notes about refunds');
    expect(handler.openRunCount).toBe(0);
  });

  it('records a streamed graph the same way', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support', name: 'graph' });

    const updates: string[] = [];
    for await (const update of await twoNodeGraph(['ok']).stream({ question: 'q' }, { callbacks: [handler] })) {
      updates.push(...Object.keys(update));
    }

    expect(updates).toEqual(['retrieve', 'respond']);
    expect((await t.tree()).split('\n')[0]).toBe('graph');
    expect((await t.span('chat')).attributes['basalt.span.output']).toBe('ok');
    expect(handler.openRunCount).toBe(0);
  });

  it('does not mark a node that interrupts the graph as failed', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const graph = new StateGraph(State)
      .addNode('approve', () => ({ answer: String(interrupt('approve?')) }))
      .addEdge(START, 'approve')
      .addEdge('approve', END)
      .compile({ checkpointer: new MemorySaver() });

    await graph.invoke({ question: 'q' }, { callbacks: [handler], configurable: { thread_id: 't-1' } });

    const node = await t.span('approve');
    expect(node.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(node.events.map((e) => [e.name, e.attributes?.['error.type']])).toEqual([
      ['langgraph.bubble_up', 'GraphInterrupt'],
    ]);
    expect((await t.span('LangGraph')).status.code).not.toBe(SpanStatusCode.ERROR);
    expect(handler.openRunCount).toBe(0);
  });
});
