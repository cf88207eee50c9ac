import type { Dataset } from './dataset.js';
import { BasaltConfigError } from './errors.js';

// The edge build's `local-dataset.ts` (tsup.config.ts swaps it in): an edge runtime has no files.

/** Local mode's dataset files on an edge runtime: a clear error naming what to do instead. */
export async function readLocalDataset(slug: string, _dir: string): Promise<Dataset> {
  throw new BasaltConfigError(
    `basalt.datasets.get(${JSON.stringify(slug)}) without an API key reads .basalt/datasets/ files, which an edge runtime (Cloudflare Workers, Vercel Edge) does not have: set BASALT_API_KEY to read the dataset from Basalt.`,
  );
}
