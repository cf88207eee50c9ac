/**
 * Experiments as a workflow: read a dataset, run every row through a variant with
 * `basalt.experiments.run` (each row its own trace in the experiment, model calls nested under it),
 * score the outputs locally, and get a summary and a run file back.
 *
 *   npx tsx examples/experiment-run.ts       # local mode, local model: no key, no network;
 *                                            # saves the run under .basalt/experiments/
 *   BASALT_API_KEY=… npx tsx examples/experiment-run.ts   # the dataset file stays local here;
 *                                            # use basalt.datasets.get('<slug>') for a Basalt dataset
 */
import { generateText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { localLanguageModel } from './local-models.js';

const basalt = new Basalt();

// In local mode, datasets are files: .basalt/datasets/<slug>.json or .jsonl by default.
const dataset = await basalt.datasets.get('support-tickets', { dir: 'examples/datasets' });

const model = wrapLanguageModel({
  model: localLanguageModel('local-small'),
  middleware: basaltMiddleware({ featureSlug: 'support-ticket' }),
});

const run = await basalt.experiments.run({
  featureSlug: 'support-ticket',
  name: 'local-small, prompt v1',
  data: dataset.rows,
  concurrency: 2,
  identity: (row) => ({ user: { id: String(row.metadata?.userId) } }),
  task: async (row, { signal }) => {
    const { text } = await generateText({ model, prompt: `Classify: ${row.values.ticket}`, abortSignal: signal });
    return /charged|refund|payment/i.test(text) ? 'billing' : 'how-to';
  },
  scorers: { exact: ({ item, output }) => output === item.idealOutput },
  // Save the run file with an API key too (local mode always saves it).
  save: true,
});

const { summary } = run;
console.log(
  `${summary.items} items: ${summary.succeeded} succeeded, ${summary.failed} failed; ` +
    `tokens ${summary.tokens.input} in / ${summary.tokens.output} out; exact ${summary.scores.exact?.mean}`,
);
console.log(`experiment ${run.experiment.id}; run file: ${run.file}`);

await basalt.shutdown();
