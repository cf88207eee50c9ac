import type { ExperimentRun, RunExperimentOptions } from '../experiments/run-options.js';
import { requiredText } from './config-values.js';
import type { DatasetRow } from './dataset.js';
import { type ApiClient, basaltApi, invalidResponse } from './http.js';
import type { Logger } from './logger.js';

/** An experiment: a named group of traces of one feature, compared in Basalt (SPEC §2). */
export interface Experiment {
  id: string;
  name: string;
  featureSlug: string;
  createdAt: Date;
}

export interface CreateExperimentParams {
  /** The feature the experiment's traces belong to. Must match the traces' feature slug. */
  featureSlug: string;
  name: string;
}

const PATH = 'monitor/experiments';
const REQUEST = `POST /${PATH}`;

/**
 * Longest string `create` sends or accepts per field, in characters. A name is a label shown in
 * Basalt; a slug and an id are keys. Past them a value is a mistake (or a hostile response), and it
 * would otherwise be copied onto every span of the experiment.
 */
const MAX_LENGTH = { id: 256, name: 1024, featureSlug: 256, createdAt: 64 } as const;

/** `basalt.experiments`: the experiments API (SPEC §4). */
export class Experiments {
  readonly #api: ApiClient | undefined;
  readonly #logger: Logger;

  constructor(options: { apiUrl: string; apiKey: string | undefined; timeoutMs: number; logger: Logger }) {
    this.#logger = options.logger;
    this.#api = basaltApi(options);
  }

  /**
   * Creates an experiment. Without an API key it returns a local one (`id` prefixed `local-`).
   *
   * @throws {BasaltConfigError} when `featureSlug` or `name` is missing or longer than 256 or 1024
   *   characters, or when `apiUrl` carries
   *   credentials (`user:password@`): `fetch` refuses such a URL and the API authenticates with the key.
   * @throws {BasaltApiError} a typed subclass for each failure (401, 429, 5xx, network, timeout, …).
   * @example
   * const exp = await basalt.experiments.create({ featureSlug: 'support-ticket', name: 'Ticket Analysis' });
   */
  async create(params: CreateExperimentParams): Promise<Experiment> {
    const featureSlug = requiredText(params?.featureSlug, 'experiments.create', 'featureSlug', MAX_LENGTH.featureSlug);
    const name = requiredText(params?.name, 'experiments.create', 'name', MAX_LENGTH.name);
    if (!this.#api) {
      this.#logger.once(
        'experiments.local',
        'info',
        'No API key: experiments are created locally (ids prefixed "local-") and nothing is sent to Basalt.',
      );
      return { id: `local-${globalThis.crypto.randomUUID()}`, name, featureSlug, createdAt: new Date() };
    }
    return parseExperiment(await this.#api.post(PATH, { featureSlug, name }));
  }

  /**
   * Runs every item of `data` through `task`, each in its own Basalt trace joined to the experiment
   * (created from `featureSlug` and `name`, or the given `experiment`), at most `concurrency` at a
   * time (default 4). A failing item is recorded and the run goes on. Resolves to the summary, the
   * per-item results and the run file's path (saved by default in local mode). See
   * docs/experiments.md for the rules (sharding, usage, cancellation, saving).
   *
   * @throws {BasaltConfigError} (the promise rejects before any item runs) when `data` is not
   *   iterable, `task` is not a function, `concurrency` is not an integer ≥ 1, or `shard` is out of range.
   * @example
   * const run = await basalt.experiments.run({
   *   featureSlug: 'support-ticket',
   *   name: 'gpt-4o-mini, prompt v2',
   *   data: dataset.rows,
   *   task: async (row) => analyse(row.values.ticket),
   *   scorers: { exact: ({ item, output }) => output === item.idealOutput },
   * });
   * console.log(run.summary, run.file);
   */
  async run<Item = DatasetRow, Output = unknown>(options: RunExperimentOptions<Item, Output>): Promise<ExperimentRun> {
    // Node only (files, hashes, the progress bar): loaded on the first run, never by the root entry.
    const { runExperiment } = await import('../experiments/runner.js');
    return runExperiment(options, {
      createExperiment: (params) => this.create(params),
      local: this.#api === undefined,
      logger: this.#logger,
    });
  }
}

function parseExperiment(body: unknown): Experiment {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  // Basalt wraps some responses as { experiment: {...} }: accept both shapes.
  const raw = (record.experiment && typeof record.experiment === 'object' ? record.experiment : record) as Record<
    string,
    unknown
  >;
  // Over-long values are refused, not cut: a cut id, slug or name is not the one Basalt stored.
  for (const [key, max] of Object.entries(MAX_LENGTH)) {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') throw invalidResponse(REQUEST, `missing ${key}`, body);
    if (value.length > max) throw invalidResponse(REQUEST, `${key} over ${max} characters`, body);
  }
  const createdAt = new Date(raw.createdAt as string);
  if (Number.isNaN(createdAt.getTime())) throw invalidResponse(REQUEST, 'createdAt is not a date', body);
  return { id: raw.id as string, name: raw.name as string, featureSlug: raw.featureSlug as string, createdAt };
}
