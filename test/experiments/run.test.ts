import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { basaltMiddleware } from '../../src/adapters/ai-sdk/index.js';
import { BasaltCallbackHandler } from '../../src/adapters/langchain/index.js';
import { parseRunFile } from '../../src/experiments/run-file.js';
import { BasaltConfigError, startObserve } from '../../src/index.js';
import { core1 } from '../adapters/langchain/kits.js';
import { replayFastCheckSeed } from '../core/fc-seed.js';
import { generateResult } from '../helpers/ai-sdk-parts.js';
import { startExperimentsApi, type TestHttpServer } from '../helpers/http-server.js';
import { setupTracing } from '../helpers/tracing.js';

replayFastCheckSeed();

let dir: string;
let server: TestHttpServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basalt-run-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ values: { n: i }, idealOutput: `out-${i}`, metadata: { userId: `u${i}` } }));
const roots = (spans: ReadableSpan[]) => spans.filter((s) => s.attributes['basalt.root'] === true);

/** A mock model answering `text` with the given usage, behind our middleware. */
function model(usage: { input: number; output: number }) {
  const mock = new MockLanguageModelV4({
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    doGenerate: async () => generateResult('v4', { text: 'ok', usage }),
  });
  return wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'support' }) });
}

describe('experiments.run › traces', () => {
  it('runs each item in its own root with the experiment, identity, input and output, model calls nested under it', async () => {
    const t = setupTracing();
    const m = model({ input: 10, output: 3 });
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'prompt v2',
      data: rows(2),
      identity: (row) => ({ user: { id: String(row.metadata.userId) } }),
      evaluators: ['accuracy'],
      task: async (row) => (await generateText({ model: m, prompt: `n=${row.values.n}` })).text,
      save: false,
    });
    expect(run.experiment).toMatchObject({ name: 'prompt v2', featureSlug: 'support' });
    expect(run.experiment.id).toMatch(/^local-/);
    const spans = await t.spans();
    const tops = roots(spans);
    expect(tops).toHaveLength(2);
    expect(new Set(tops.map((r) => r.spanContext().traceId)).size).toBe(2);
    for (const [i, root] of tops
      .sort((a, b) => Number(a.attributes['basalt.user.id'] === 'u1') - Number(b.attributes['basalt.user.id'] === 'u1'))
      .entries()) {
      expect(root.name).toBe('prompt v2');
      expect(root.attributes).toMatchObject({
        'basalt.experiment.id': run.experiment.id,
        'basalt.experiment.name': 'prompt v2',
        'basalt.user.id': `u${i}`,
        'basalt.span.evaluators': ['accuracy'],
        'basalt.span.output': 'ok',
      });
      expect(JSON.parse(String(root.attributes['basalt.span.input']))).toEqual(rows(2)[i]);
      // Usage on the wire stays on the generation spans: never on the root.
      expect(root.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
      const children = spans.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
      expect(children.map((c) => c.name)).toEqual(['chat gpt-4o-mini']);
      expect(run.results[i]?.traceId).toBe(root.spanContext().traceId);
    }
  });

  it('sums the usage of the generation spans of each item', async () => {
    const t = setupTracing();
    const big = model({ input: 10, output: 3 });
    const small = model({ input: 5, output: 2 });
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'usage',
      data: rows(3),
      task: async (row) => {
        await generateText({ model: big, prompt: 'a' });
        if (row.values.n > 0) await generateText({ model: small, prompt: 'b' });
        return 'done';
      },
      save: false,
    });
    expect(run.results.map((r) => r.usage)).toEqual([
      { inputTokens: 10, outputTokens: 3 },
      { inputTokens: 15, outputTokens: 5 },
      { inputTokens: 15, outputTokens: 5 },
    ]);
    expect(run.summary.tokens).toEqual({ input: 40, output: 13 });
  });

  it("does not count a scorer's model calls in the item's usage", async () => {
    const t = setupTracing();
    const m = model({ input: 10, output: 3 });
    const judge = model({ input: 100, output: 1 });
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'judged',
      data: rows(1),
      task: async () => (await generateText({ model: m, prompt: 'a' })).text,
      scorers: { judged: async () => (await generateText({ model: judge, prompt: 'judge' })).text === 'ok' },
      save: false,
    });
    expect(run.results[0]).toMatchObject({ usage: { inputTokens: 10, outputTokens: 3 }, scores: { judged: 1 } });
  });

  it('makes each item its own trace even inside an active Basalt trace', async () => {
    const t = setupTracing();
    await startObserve({ name: 'outer', featureSlug: 'support' }, () =>
      t.basalt.experiments.run({ featureSlug: 'support', name: 'inner', data: rows(2), task: () => 1, save: false }),
    );
    const spans = await t.spans();
    expect(
      roots(spans)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['inner', 'inner', 'outer']);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(3);
  });

  it('records a throwing item (ERROR root, error in its result) and goes on', async () => {
    const t = setupTracing();
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'failing',
      data: rows(3),
      task: (row) => {
        if (row.values.n === 1) throw new TypeError('bad ticket');
        return `out-${row.values.n}`;
      },
      save: false,
    });
    expect(run.results.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(run.results[1]).toMatchObject({ output: null, error: { name: 'TypeError', message: 'bad ticket' } });
    expect(run.summary).toMatchObject({ items: 3, succeeded: 2, failed: 1, cancelled: 0 });
    const failed = roots(await t.spans()).filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.events.map((e) => e.name)).toContain('exception');
  });
});

describe('experiments.run › scheduling', () => {
  it('never runs more than `concurrency` items at once', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    let inFlight = 0;
    let max = 0;
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'bounded',
      data: rows(25),
      concurrency: 3,
      task: async () => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
      },
      save: false,
    });
    expect(max).toBe(3);
    expect(run.summary.succeeded).toBe(25);
  });

  it('on abort, cancels the items not started and hands the signal to those in flight', async () => {
    const t = setupTracing();
    const controller = new AbortController();
    const started: number[] = [];
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'aborted',
      data: rows(10),
      concurrency: 2,
      signal: controller.signal,
      task: (row, { signal }) =>
        new Promise((resolve, reject) => {
          started.push(row.values.n);
          if (started.length === 2) setTimeout(() => controller.abort(new Error('stop')), 5);
          // Item 0 finishes its work whatever happens; item 1 stops on the signal.
          if (row.values.n === 0) setTimeout(() => resolve('finished'), 20);
          else signal.addEventListener('abort', () => reject(signal.reason));
        }),
      save: false,
    });
    expect(started).toEqual([0, 1]);
    expect(run.results.map((r) => r.status)).toEqual(['succeeded', ...Array(9).fill('cancelled')]);
    expect(run.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(run.results[1]?.error?.message).toBe('stop');
    expect(run.results[5]).toMatchObject({ traceId: null, durationMs: 0, error: null });
    expect(run.summary).toMatchObject({ items: 10, succeeded: 1, cancelled: 9 });
    expect(roots(await t.spans())).toHaveLength(2);
  });

  it('reads iterables and async iterables, and stops reading one on abort', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    function* sync() {
      yield* rows(4);
    }
    const fromSync = await t.basalt.experiments.run({
      featureSlug: 's',
      name: 'sync',
      data: sync(),
      task: (r) => r.values.n,
      save: false,
    });
    expect(fromSync.results.map((r) => r.output)).toEqual([0, 1, 2, 3]);

    const controller = new AbortController();
    let read = 0;
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; i < 1000; i++) {
          read++;
          yield { values: { n: i } };
        }
      } finally {
        closed = true;
      }
    }
    const run = await t.basalt.experiments.run({
      featureSlug: 's',
      name: 'async',
      data: endless(),
      signal: controller.signal,
      concurrency: 1,
      task: (r) => {
        if (r.values.n === 4) controller.abort();
        return r.values.n;
      },
      save: false,
    });
    expect(run.results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(read).toBe(5);
    expect(closed).toBe(true);
  });
});

describe('experiments.run › failures around the task', () => {
  it('rejects with the error of a data source that throws, after the items in flight finish', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    const finished: number[] = [];
    async function* data() {
      yield { values: { n: 0 } };
      yield { values: { n: 1 } };
      throw new RangeError('source broke');
    }
    const error = await t.basalt.experiments
      .run({
        featureSlug: 'support',
        name: 'broken source',
        data: data(),
        concurrency: 2,
        task: async (row) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          finished.push(row.values.n);
        },
        save: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('source broke');
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('fails the item whose identity function throws, without running its task', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    const task = vi.fn((row: { values: { n: number } }) => row.values.n);
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'identity',
      data: rows(2),
      identity: (row) => {
        if (row.values.n === 1) throw new Error('no user');
        return { user: { id: 'u' } };
      },
      task,
      save: false,
    });
    expect(run.results.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(run.results[1]?.error).toEqual({ name: 'Error', message: 'no user' });
    expect(task).toHaveBeenCalledTimes(1);
  });
});

describe('experiments.run › sharding', () => {
  it('splits the items into disjoint shards that together hold every item once (i % count === index)', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (n, count, concurrency, asArray) => {
          const positions: number[] = [];
          for (let index = 0; index < count; index++) {
            const items = rows(n);
            async function* stream() {
              yield* items;
            }
            const run = await t.basalt.experiments.run({
              experiment: 'local-shared',
              featureSlug: 'support',
              name: 'sharded',
              data: asArray ? items : stream(),
              shard: { index, count },
              concurrency,
              task: (row) => row.values.n,
              save: false,
            });
            for (const result of run.results) {
              expect(result.index % count).toBe(index);
              expect(result.output).toBe(result.index);
              positions.push(result.index);
            }
          }
          expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('experiments.run › scorers', () => {
  it('stores numbers and booleans as scores, records a throwing or non-numeric scorer, and writes scores to the root metadata', async () => {
    const t = setupTracing();
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'scored',
      data: rows(2),
      task: (row) => (row.values.n === 0 ? row.idealOutput : 'wrong'),
      scorers: {
        exact: ({ item, output }) => output === item.idealOutput,
        length: async ({ output }) => String(output).length,
        broken: () => {
          throw new Error('judge down');
        },
        odd: () => 'high' as unknown as number,
      },
      save: false,
    });
    expect(run.results.map((r) => r.scores)).toEqual([
      { exact: 1, length: 5 },
      { exact: 0, length: 5 },
    ]);
    expect(run.results[0]?.scoreErrors).toEqual({
      broken: 'judge down',
      odd: 'returned "high", not a finite number or a boolean',
    });
    expect(run.summary.scores).toEqual({ exact: { mean: 0.5, count: 2 }, length: { mean: 5, count: 2 } });
    const root = roots(await t.spans()).find((s) => s.attributes['basalt.span.output'] === 'out-0');
    expect(root?.attributes['basalt.meta.scores.exact']).toBe(1);
    expect(JSON.parse(String(root?.attributes['basalt.metadata']))).toMatchObject({
      'scores.exact': 1,
      'scoreErrors.broken': 'judge down',
    });
    // Basalt's own evaluators stay as they were.
    expect(root?.attributes['basalt.span.evaluators']).toBeUndefined();
  });
});

describe('experiments.run › run file', () => {
  it('saves the run in local mode by default, under .basalt/experiments of the current directory', async () => {
    vi.spyOn(process, 'cwd').mockReturnValue(dir);
    const t = setupTracing({ telemetry: { enabled: false } });
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'Prompt v2!',
      data: rows(3),
      task: (r) => r.values.n,
    });
    expect(run.file).toMatch(new RegExp(`^${dir}/\\.basalt/experiments/\\d{8}T\\d{9}Z-prompt-v2-[0-9a-f]{6}\\.json$`));
    const file = parseRunFile(await readFile(run.file!, 'utf8'), run.file!);
    expect(file).toMatchObject({ name: 'Prompt v2!', experiment: run.experiment, shard: { index: 0, count: 1 } });
    expect(file.summary).toEqual(run.summary);
    expect(file.results).toEqual(JSON.parse(JSON.stringify(run.results)));
  });

  it('saves nothing with an API key unless asked, and creates the experiment on the API', async () => {
    server = await startExperimentsApi();
    const t = setupTracing({ apiKey: 'sk-test', apiUrl: server.url });
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'remote',
      data: rows(1),
      task: () => 1,
    });
    expect(run.experiment).toEqual({ id: 'exp-42', name: 'remote', featureSlug: 'support' });
    expect(run.file).toBeNull();
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /monitor/experiments']);
    expect(roots(await t.spans())[0]?.attributes['basalt.experiment.id']).toBe('exp-42');

    const saved = await t.basalt.experiments.run({
      experiment: 'exp-42',
      featureSlug: 'support',
      name: 'remote',
      data: rows(1),
      task: () => 1,
      save: { dir },
    });
    expect(saved.file?.startsWith(dir)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('returns the results with file null and one warning when the run file cannot be written', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    const blocked = join(dir, 'not-a-folder');
    await writeFile(blocked, 'a file where the folder should be');
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'unsaved',
      data: rows(2),
      task: (r) => r.values.n,
      save: { dir: join(blocked, 'runs') },
    });
    expect(run.file).toBeNull();
    expect(run.summary.succeeded).toBe(2);
    expect(t.logs.filter((line) => line.includes('could not save the run file'))).toHaveLength(1);
  });

  it('names shard files after the shard', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    const run = await t.basalt.experiments.run({
      experiment: { id: 'local-x', name: 'exp', featureSlug: 'support' },
      name: 'sharded',
      data: rows(5),
      shard: { index: 1, count: 2 },
      task: (r) => r.values.n,
      save: { dir },
    });
    expect(run.results.map((r) => r.index)).toEqual([1, 3]);
    expect(await readdir(dir)).toEqual([expect.stringMatching(/-sharded-shard1of2-[0-9a-f]{6}\.json$/)]);
  });
});

describe('experiments.run › bad input', () => {
  const base = { featureSlug: 'support', name: 'bad', data: rows(1), task: () => 1 };
  it.each([
    ['data is not iterable', { data: 5 }, /data must be an array, an iterable or an async iterable; got 5/],
    ['data is a string', { data: 'abc' }, /data must be/],
    ['task is not a function', { task: 'x' }, /task must be a function; got "x"/],
    ['concurrency is 0', { concurrency: 0 }, /concurrency must be an integer of at least 1; got 0/],
    ['concurrency is 1.5', { concurrency: 1.5 }, /concurrency must be an integer/],
    [
      'shard index out of range',
      { shard: { index: 2, count: 2 }, experiment: 'e' },
      /shard.index must be an integer from 0 to shard.count - 1 \(1\); got 2/,
    ],
    [
      'shard count < 1',
      { shard: { index: 0, count: 0 }, experiment: 'e' },
      /shard.count must be an integer of at least 1; got 0/,
    ],
    ['shards without an experiment', { shard: { index: 0, count: 2 } }, /shards of one run must share one experiment/],
    ['no featureSlug', { featureSlug: undefined, experiment: 'e' }, /featureSlug is required/],
    ['a scorer that is not a function', { scorers: { a: 1 } }, /scorers.a must be a function/],
    ['an empty experiment id', { experiment: '' }, /experiment must be an experiment object with an id, or its id/],
  ])('rejects with BasaltConfigError before any item runs when %s', async (_case, patch, message) => {
    const t = setupTracing();
    const task = vi.fn(() => 1);
    const options = { ...base, task, ...patch } as unknown as Parameters<typeof t.basalt.experiments.run>[0];
    const error = await t.basalt.experiments.run(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BasaltConfigError);
    expect((error as Error).message).toMatch(message);
    expect(task).not.toHaveBeenCalled();
    expect(await t.spans()).toHaveLength(0);
  });
});

describe('experiments.run › LangChain', () => {
  it('nests a LangChain chat model run under the item root and counts its usage', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const chat = core1.usageModel();
    const run = await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'langchain',
      data: rows(2),
      task: async (row) => chat.invoke(`n=${row.values.n}`, { callbacks: [handler] }),
      save: false,
    });
    expect(run.results.map((r) => r.usage)).toEqual([
      { inputTokens: 11, outputTokens: 3 },
      { inputTokens: 11, outputTokens: 3 },
    ]);
    const spans = await t.spans();
    for (const root of roots(spans)) {
      const children = spans.filter((s) => s.parentSpanContext?.spanId === root.spanContext().spanId);
      expect(children.map((c) => c.attributes['basalt.span.kind'])).toEqual(['generation']);
    }
  });
});
