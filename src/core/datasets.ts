import { requiredText } from './config-values.js';
import { type Dataset, readDataset } from './dataset.js';
import { type ApiClient, basaltApi, invalidResponse } from './http.js';
import type { Logger } from './logger.js';

export type { Dataset, DatasetRow } from './dataset.js';

/** Options of `datasets.get`. */
export interface GetDatasetOptions {
  /**
   * Local mode only: the folder of dataset files, relative to the current directory.
   * Default `.basalt/datasets`.
   */
  dir?: string;
}

/** Longest dataset slug accepted, in characters (a key, as an experiment's feature slug). */
const MAX_SLUG_LENGTH = 256;
/** Largest dataset response read: past it the answer is an invalid response, never held whole. */
const MAX_DATASET_BYTES = 32 * 1024 * 1024;
/** Longest server `warning` logged, in characters. */
const MAX_WARNING_LENGTH = 500;

/** `basalt.datasets`: datasets of Basalt, or local files without an API key (SPEC §11). */
export class Datasets {
  readonly #api: ApiClient | undefined;
  readonly #logger: Logger;

  constructor(options: { apiUrl: string; apiKey: string | undefined; timeoutMs: number; logger: Logger }) {
    this.#logger = options.logger;
    this.#api = basaltApi(options);
  }

  /**
   * Gets a dataset: `GET {apiUrl}/datasets/{slug}` with an API key; without one (local mode), the
   * file `.basalt/datasets/<slug>.json` (the same shape as the API's answer), else `<slug>.jsonl`
   * (one row `{ values, idealOutput?, metadata? }` per line).
   *
   * @throws {BasaltConfigError} when `slug` is empty, too long, or (local mode) not a plain file name,
   *   and in local mode when neither file exists (naming both paths) or a file is not a dataset.
   * @throws {BasaltApiError} a typed subclass for each API failure (404, 401, 5xx, network, timeout, …).
   * @example
   * const dataset = await basalt.datasets.get('support-tickets');
   * for (const row of dataset.rows) console.log(row.values, row.idealOutput);
   */
  async get(slug: string, options: GetDatasetOptions = {}): Promise<Dataset> {
    requiredText(slug, 'datasets.get', 'slug', MAX_SLUG_LENGTH);
    if (!this.#api) {
      this.#logger.once(
        'datasets.local',
        'info',
        'No API key: datasets are read from local files (.basalt/datasets/<slug>.json or .jsonl).',
      );
      const { readLocalDataset } = await import('./local-dataset.js');
      return readLocalDataset(slug, options.dir ?? '.basalt/datasets');
    }
    const path = `datasets/${encodeURIComponent(slug)}`;
    const body = await this.#api.get(path, MAX_DATASET_BYTES);
    const dataset = readDataset(body, slug);
    if (typeof dataset === 'string') throw invalidResponse(`GET /${path}`, dataset, body);
    const warning = (body as { warning?: unknown }).warning;
    if (typeof warning === 'string' && warning !== '') {
      const text = warning.slice(0, MAX_WARNING_LENGTH);
      this.#logger.once(`datasets.warning:${slug}:${text}`, 'warn', `Basalt about dataset "${slug}": ${text}`);
    }
    return dataset;
  }
}
