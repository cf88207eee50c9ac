/**
 * LangGraph: a two-node `StateGraph` whose second node calls a chat model. Each node is a span, the
 * model call a `generation` under it, and the graph run is the trace's root.
 *
 *   npx tsx examples/langgraph.ts
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import { Basalt } from 'basalt-observe';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import { LocalChatModel } from './local-models.js';

const basalt = new Basalt();
const handler = new BasaltCallbackHandler({ featureSlug: 'refunds', name: 'refund_graph' });
const model = process.env.OPENAI_API_KEY ? new ChatOpenAI({ model: 'gpt-4o-mini' }) : new LocalChatModel();

const State = Annotation.Root({
  question: Annotation<string>(),
  context: Annotation<string>(),
  answer: Annotation<string>(),
});

const graph = new StateGraph(State)
  .addNode('retrieve', async () => ({ context: 'Refunds are possible within 30 days.' }))
  .addNode('respond', async (state) => {
    const reply = await model.invoke([
      ['system', `Answer from these notes: ${state.context}`],
      ['human', state.question],
    ]);
    return { answer: String(reply.content) };
  })
  .addEdge(START, 'retrieve')
  .addEdge('retrieve', 'respond')
  .addEdge('respond', END)
  .compile();

const result = await graph.invoke(
  { question: 'Can I get a refund?' },
  { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'user-9', name: 'Grace' } } } } },
);
console.log('answer →', result.answer);

await basalt.shutdown();
