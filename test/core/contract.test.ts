import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { Basalt, BasaltConfigError, BasaltSpanProcessor, observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

/** A Promise with methods of its own, as ky's `ResponsePromise` is. */
function responsePromise(): Promise<string> & { json(): Promise<{ ok: boolean }> } {
  const promise = Promise.resolve('body') as Promise<string> & { json(): Promise<{ ok: boolean }> };
  promise.json = async () => ({ ok: true });
  return promise;
}

/** A lazy thenable (a query builder): every `then` runs the query again. */
function queryBuilder() {
  const builder = {
    runs: 0,
    where() {
      return builder;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about
    then(onFulfilled: (rows: string[]) => unknown, onRejected?: (error: unknown) => unknown) {
      builder.runs++;
      return Promise.resolve(['row']).then(onFulfilled, onRejected);
    },
  };
  return builder;
}

describe('startObserve/observe callback form › returns exactly what fn returns (#10.17)', () => {
  it('returns the same Promise subclass, with its methods', async () => {
    const t = setupTracing();
    const returned = responsePromise();
    const got = startObserve({ name: 'call', featureSlug: 'f' }, () => returned);
    expect(got).toBe(returned);
    expect(await got.json()).toEqual({ ok: true });
    expect((await t.spans()).map((s) => s.name)).toEqual(['call']);
  });

  it('returns the same thenable, runs it once, and ends the span when it settles', async () => {
    const t = setupTracing();
    const query = queryBuilder();
    const got = startObserve({ name: 'root', featureSlug: 'f' }, () =>
      observe({ name: 'query', kind: 'retrieval' }, () => query),
    );
    expect(got).toBe(query);
    expect(typeof got.where).toBe('function');
    expect(await got).toEqual(['row']);
    expect(query.runs).toBe(1);
    expect((await t.spans()).map((s) => s.name).sort()).toEqual(['query', 'root']);
  });

  it('returns a value whose then getter throws as is, without throwing, and ends the span', async () => {
    const t = setupTracing();
    const hostile = new Proxy(
      {},
      {
        get(_target, key) {
          if (key === 'then') throw new Error('then getter exploded');
          return undefined;
        },
      },
    );
    expect(startObserve({ name: 'hostile', featureSlug: 'f' }, () => hostile)).toBe(hostile);
    expect((await t.spans()).map((s) => s.name)).toEqual(['hostile']);
  });

  it('returns a plain value as is', () => {
    setupTracing();
    const value = { a: 1 };
    expect(startObserve({ name: 'sync', featureSlug: 'f' }, () => value)).toBe(value);
  });
});

describe('span methods never throw into the app (#10.7)', () => {
  const hostile: Array<[string, () => unknown]> = [
    [
      'a throwing getter',
      () => ({
        ok: 1,
        get boom() {
          throw new Error('getter exploded');
        },
      }),
    ],
    [
      'a Proxy whose traps throw',
      () =>
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('trap');
            },
            get() {
              throw new Error('trap');
            },
          },
        ),
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
        revoke();
        return proxy;
      },
    ],
    ['a 20 MB Buffer', () => Buffer.alloc(20 * 1024 * 1024)],
  ];

  it.each(hostile)('setMetadata and observe.setMetadata accept %s', async (_name, make) => {
    const t = setupTracing();
    const started = performance.now();
    await startObserve({ name: 'root', featureSlug: 'f' }, (span) => {
      span.setMetadata(make() as Record<string, unknown>);
      observe.setMetadata(make() as Record<string, unknown>);
      span.setMetadata({ after: true });
    });
    // Correctness bound, not a benchmark: the Buffer blocked 7–8 s before.
    expect(performance.now() - started).toBeLessThan(2_000);
    const [root] = await t.spans();
    expect(JSON.parse(String(root?.attributes['basalt.metadata']))).toMatchObject({ after: true });
  });
});

describe('configuration from the environment (#10.8)', () => {
  it('a BasaltSpanProcessor with an exporter never throws on an invalid BASALT_SAMPLE_RATE', () => {
    const before = process.env.BASALT_SAMPLE_RATE;
    process.env.BASALT_SAMPLE_RATE = 'abc';
    try {
      expect(() => new BasaltSpanProcessor({ exporter: new InMemorySpanExporter() })).not.toThrow();
      expect(() => new Basalt({ telemetry: { exporter: new InMemorySpanExporter() } })).toThrow(BasaltConfigError);
      expect(() => new Basalt({ telemetry: { exporter: new InMemorySpanExporter() } })).toThrow(/BASALT_SAMPLE_RATE/);
    } finally {
      if (before === undefined) delete process.env.BASALT_SAMPLE_RATE;
      else process.env.BASALT_SAMPLE_RATE = before;
    }
  });
});
