/**
 * `npm run demo`: what basalt-observe does, with no API key and no network (local mode, SPEC §8).
 *
 * Under one experiment and one identity it traces, through the adapters:
 *   1. an AI SDK `generateText` call            (the middleware opens the root itself)
 *   2. an AI SDK `streamText` call              (span ends after the last chunk, time to first chunk)
 *   3. an AI SDK two-step tool loop             (generation, tool, generation under one root: basaltTools)
 *   4. a LangChain chain that calls a tool       (the callback handler opens the root)
 *   5. an experiment: two variants (two local models) over the same four tickets, each item its own
 *      trace, saved as run files and compared: the table here, an HTML report beside the runs
 * and prints each trace as a tree, then where the trace file is.
 *
 * With BASALT_API_KEY set, the same traces go to Basalt; with OPENAI_API_KEY set too, the models are
 * OpenAI's (gpt-4o-mini) instead of the deterministic local ones.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { openai } from '@ai-sdk/openai';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware, basaltTools } from 'basalt-observe/ai-sdk';
import { compareRuns, readRuns, renderComparisonHtml, renderComparisonTable } from 'basalt-observe/experiments';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';
import { z } from 'zod';
import { LocalChatModel, localLanguageModel } from './local-models.js';

const useOpenAI = Boolean(process.env.OPENAI_API_KEY);
const featureSlug = 'demo-assistant';

const basalt = new Basalt({ logLevel: 'warn' });
const local = !process.env.BASALT_API_KEY && !process.env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT;
console.log(
  local
    ? 'basalt-observe demo — local mode: nothing leaves this machine.\n'
    : 'basalt-observe demo — sending traces to Basalt.\n',
);

const experiment = await basalt.experiments.create({ featureSlug, name: 'Demo: local model' });
const identity = { user: { id: 'user-42', name: 'Ada Lovelace' }, organization: { id: 'org-7', name: 'ACME' } };

// --- Vercel AI SDK: one wrapped model, used three ways --------------------------------------------
const model = wrapLanguageModel({
  model: useOpenAI ? openai('gpt-4o-mini') : localLanguageModel(),
  middleware: basaltMiddleware({ featureSlug, name: 'ai_sdk_call', experiment, identity }),
});

console.log('1. generateText');
const generated = await generateText({ model, prompt: 'What does basalt-observe record?' });
console.log(`   → ${generated.text}\n`);
await basalt.flush(); // local mode prints each trace's tree as soon as it is exported

console.log('2. streamText');
const stream = streamText({ model, prompt: 'Stream me a short sentence.' });
let streamed = '';
for await (const chunk of stream.textStream) streamed += chunk;
console.log(`   → ${streamed}\n`);
await basalt.flush();

console.log('3. tool loop (two steps)');
const weather = tool({
  description: 'The weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});
const loop = await basalt.startObserve(
  { name: 'weather_question', featureSlug, experiment, identity, input: 'What is the weather in Paris?' },
  async (span) => {
    const result = await generateText({
      model,
      tools: basaltTools({ get_weather: weather }), // each execution: a `tool` span between the steps
      stopWhen: stepCountIs(2),
      prompt: 'What is the weather in Paris?',
    });
    span.setOutput(result.text);
    return result;
  },
);
console.log(`   → ${loop.steps.length} steps: ${loop.text}\n`);
await basalt.flush();

// --- LangChain.js: a chain that calls a tool -------------------------------------------------------
console.log('4. LangChain chain with a tool');
const handler = new BasaltCallbackHandler({ featureSlug, experiment, identity });
const weatherTool = langchainTool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: 'get_weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});
const chatModel = useOpenAI ? new ChatOpenAI({ model: 'gpt-4o-mini' }) : new LocalChatModel();
const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'Answer weather questions with the get_weather tool.'],
  ['human', '{question}'],
]);
const withTools = chatModel.bindTools([weatherTool]);
const agent = RunnableLambda.from(async (input: { question: string }, config) => {
  const messages = await prompt.formatMessages(input);
  const first = await withTools.invoke(messages, config);
  const call = first.tool_calls?.[0];
  if (!call) return first;
  const result = await weatherTool.invoke({ ...call, type: 'tool_call' as const }, config);
  return withTools.invoke([...messages, first, result], config);
}).withConfig({ runName: 'weather_agent' });
const chain = agent.pipe(new StringOutputParser());
const answer = await chain.invoke({ question: 'Weather in Paris?' }, { callbacks: [handler] });
console.log(`   → ${answer}\n`);
await basalt.flush();

// --- An experiment: two variants over the same items, compared ----------------------------------
console.log('5. experiment: two variants over four support tickets, then compared');
const tickets = [
  { id: 'T-1', values: { ticket: 'I was charged twice for my subscription' }, idealOutput: 'billing' },
  { id: 'T-2', values: { ticket: 'How do I export my data?' }, idealOutput: 'how-to' },
  { id: 'T-3', values: { ticket: 'Where is the dark mode setting?' }, idealOutput: 'how-to' },
  { id: 'T-4', values: { ticket: 'Refund for a duplicate payment' }, idealOutput: 'billing' },
];
const variants = [
  { name: 'local-small, keywords v1', model: 'local-small', billing: /charged/i },
  { name: 'local-large, keywords v2', model: 'local-large', billing: /charged|refund|payment/i },
];
const runFiles: string[] = [];
for (const variant of variants) {
  const variantModel = wrapLanguageModel({
    model: useOpenAI ? openai('gpt-4o-mini') : localLanguageModel(variant.model),
    middleware: basaltMiddleware({ featureSlug: 'support-ticket' }),
  });
  const run = await basalt.experiments.run({
    featureSlug: 'support-ticket',
    name: variant.name,
    data: tickets,
    progress: false,
    save: true,
    task: async (ticket, { signal }) => {
      const { text } = await generateText({
        model: variantModel,
        prompt: `Classify: ${ticket.values.ticket}`,
        abortSignal: signal,
      });
      return variant.billing.test(`${ticket.values.ticket} ${text}`) ? 'billing' : 'how-to';
    },
    scorers: { exact: ({ item, output }) => output === item.idealOutput },
  });
  if (run.file) runFiles.push(run.file);
  await basalt.flush();
}
const comparison = compareRuns(await readRuns(runFiles));
const report = runFiles[0]!.replace(/[^/\\]+$/, 'compare-demo.html');
await writeFile(report, renderComparisonHtml(comparison, { title: 'Demo: two variants compared' }));
console.log(`\n${renderComparisonTable(comparison)}`);
console.log(
  `Report: ${relative(process.cwd(), report)} (open it in a browser; \`npx basalt-observe compare\` makes the same)\n`,
);

await basalt.shutdown();
console.log(
  local
    ? `Trace trees above; every span is also in ${process.env.BASALT_LOCAL_TRACE_FILE ?? '.basalt/traces.jsonl'}.`
    : `Sent: ${JSON.stringify(basalt.stats())}`,
);
