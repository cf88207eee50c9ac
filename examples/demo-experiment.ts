/**
 * The demo's experiment loop (examples/demo.ts, part 5): one variant over a few items, each item its
 * own `startObserve` root in the variant's experiment (the seed's "Experiments in a Loop"), saved as
 * a run file (format version 1) under .basalt/experiments/ for `compareRuns` and
 * `npx basalt-observe compare`.
 *
 * TODO(#13): `basalt.experiments.run` (wt-runner) does this with concurrency, cancellation and
 * progress; at the merge this file goes and the demo calls it directly.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Basalt } from 'basalt-observe';
import {
  itemKey,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFile,
  type RunResult,
  summarize,
} from 'basalt-observe/experiments';

export interface VariantOptions<Item> {
  featureSlug: string;
  name: string;
  items: readonly Item[];
  task: (item: Item) => Promise<{ output: unknown; usage?: { inputTokens?: number; outputTokens?: number } }>;
  scorers: Record<string, (item: Item, output: unknown) => number>;
  dir?: string;
}

/** Runs `task` on every item in its own trace, then saves the run; resolves to the run file's path. */
export async function runVariant<Item>(basalt: Basalt, options: VariantOptions<Item>): Promise<string> {
  const { featureSlug, name } = options;
  const experiment = await basalt.experiments.create({ featureSlug, name });
  const createdAt = new Date().toISOString();
  const results: RunResult[] = [];
  for (const [index, item] of options.items.entries()) {
    const started = performance.now();
    const result: RunResult = {
      index,
      key: itemKey(item),
      item,
      status: 'succeeded',
      output: null,
      error: null,
      durationMs: 0,
      traceId: null,
      usage: null,
      scores: {},
      scoreErrors: {},
    };
    try {
      const { output, usage } = await basalt.startObserve(
        { name, featureSlug, experiment, input: item },
        async (span) => {
          result.traceId = span.traceId ?? null;
          const done = await options.task(item);
          span.setOutput(done.output);
          return done;
        },
      );
      result.output = output;
      if (usage) result.usage = { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
      for (const [scorer, score] of Object.entries(options.scorers)) result.scores[scorer] = score(item, output);
    } catch (error) {
      result.status = 'failed';
      result.error =
        error instanceof Error
          ? { name: error.name, message: error.message }
          : { name: 'Error', message: String(error) };
    }
    result.durationMs = performance.now() - started;
    results.push(result);
  }
  const run: RunFile = {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    runId: randomBytes(8).toString('hex'),
    name,
    experiment: { id: experiment.id, name: experiment.name, featureSlug: experiment.featureSlug },
    createdAt,
    finishedAt: new Date().toISOString(),
    shard: { index: 0, count: 1 },
    summary: summarize(results),
    results,
  };
  const dir = resolve(options.dir ?? '.basalt/experiments');
  await mkdir(dir, { recursive: true });
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const file = join(dir, `${createdAt.replace(/[-:.]/g, '')}-${slug}-${randomBytes(3).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(run));
  return file;
}
