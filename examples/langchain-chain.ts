/**
 * LangChain.js: one handler for the whole app, a `prompt | model | parser` chain, per-invoke identity
 * and experiment through `metadata.basalt`, and `.stream()`.
 *
 *   npx tsx examples/langchain-chain.ts         # local model, local mode
 *   OPENAI_API_KEY=… npx tsx examples/langchain-chain.ts
 */
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { Basalt } from 'basalt-observe';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import { LocalChatModel } from './local-models.js';

const basalt = new Basalt();
const handler = new BasaltCallbackHandler({ featureSlug: 'support', identity: { organization: { id: 'org-7' } } });
const experiment = await basalt.experiments.create({ featureSlug: 'support', name: 'Two-sentence answers' });

const chain = ChatPromptTemplate.fromMessages([
  ['system', 'You answer support questions in two sentences.'],
  ['human', '{question}'],
])
  .pipe(process.env.OPENAI_API_KEY ? new ChatOpenAI({ model: 'gpt-4o-mini' }) : new LocalChatModel())
  .pipe(new StringOutputParser());

// Per-invoke values: this request's user (the handler's organization is kept) and the experiment.
const answer = await chain.invoke(
  { question: 'How do I reset my password?' },
  { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'user-1' } }, experiment } } },
);
console.log('invoke →', answer);

let streamed = '';
for await (const chunk of await chain.stream(
  { question: 'Can I change my email?' },
  { callbacks: [handler], metadata: { basalt: { identity: { user: { id: 'user-2' } } } } },
)) {
  streamed += chunk;
}
console.log('stream →', streamed);

await basalt.shutdown();
