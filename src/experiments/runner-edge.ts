import { BasaltConfigError } from '../core/errors.js';
import type { ExperimentRun, RunExperimentOptions } from './run-options.js';

// The edge build's `runner.ts` (tsup.config.ts swaps it in): the runner saves run files, hashes items
// with node:crypto and draws its bar on a terminal, none of which a Worker or an edge function has.

/** `experiments.run` on an edge runtime: a clear error rather than a bundle that needs Node. */
export async function runExperiment<Item, Output>(
  _options: RunExperimentOptions<Item, Output>,
  _deps: unknown,
): Promise<ExperimentRun> {
  throw new BasaltConfigError(
    'basalt.experiments.run runs on Node, Bun and Deno (it saves run files); this is the edge build of basalt-observe (Cloudflare Workers, Vercel Edge). Run the experiment from a Node script: the traces reach Basalt the same way.',
  );
}
