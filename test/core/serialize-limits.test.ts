import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SerializeOptions, serialize, TRUNCATION_MARKER } from '../../src/core/tracing/serialize.js';
import { replayFastCheckSeed } from './fc-seed.js';
import { blueprint, materialize, revokedProxy, throwingProxy } from './hostile-values.js';

replayFastCheckSeed();

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const opts = { maxBytes: 32 * 1024 };
const roomy = { maxBytes: 1 << 20 };

/** Milliseconds `fn` takes, and its result. */
function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

describe('serialize › every cut carries the truncation marker', () => {
  it('marks an array cut at 1,000 items, and keeps the JSON valid', () => {
    const out = serialize(
      Array.from({ length: 200_000 }, (_, i) => i),
      opts,
    );
    const parsed = JSON.parse(out) as unknown[];
    expect(parsed).toHaveLength(1001);
    expect(parsed[999]).toBe(999);
    expect(parsed[1000]).toBe(`${TRUNCATION_MARKER} 199000 more items`);
  });

  it('marks objects, Maps and Sets cut at 1,000 entries', () => {
    const entries = Array.from({ length: 1500 }, (_, i) => [`k${i}`, i] as const);
    for (const value of [Object.fromEntries(entries), new Map(entries), new Set(entries.map(([, v]) => v))]) {
      const out = serialize(value, roomy);
      expect(out).toContain(`${TRUNCATION_MARKER} 500 more`);
      expect(() => JSON.parse(out)).not.toThrow();
    }
  });

  it('marks nesting cut at depth 24', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { next: deep };
    const out = serialize(deep, opts);
    expect(out).toContain(TRUNCATION_MARKER);
    expect(out).not.toContain('leaf');
  });

  it('marks a value cut by the work budget even when the result is under the byte cap', () => {
    // 900 numbers and a Date (defensive path): the estimate runs out before the text reaches 1,000 bytes.
    const out = serialize([...Array.from({ length: 900 }, () => 0), new Date(0)], { maxBytes: 1000 });
    expect(bytes(out)).toBeLessThanOrEqual(1000);
    expect(out).toContain(TRUNCATION_MARKER);
  });

  it('writes nesting up to the depth cap whole and marks anything deeper', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.boolean(), (levels, withDate) => {
        let value: unknown = withDate ? new Date(0) : 1;
        for (let i = 0; i < levels; i++) value = [value];
        const out = serialize(value, roomy);
        if (levels <= 24) expect(out).toBe(JSON.stringify(value));
        else expect(out).toContain(TRUNCATION_MARKER);
      }),
      { numRuns: 200 },
    );
  });

  it('marks an array longer than 1,000 items and leaves shorter ones whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2500 }), fc.boolean(), (length, withDate) => {
        const value: unknown[] = Array.from({ length }, (_, i) => i % 7);
        if (withDate) value[0] = new Date(0);
        const out = serialize(value, roomy);
        if (length <= 1000) expect(out).toBe(JSON.stringify(value));
        else expect(out).toContain(`${TRUNCATION_MARKER} ${length - 1000} more items`);
      }),
      { numRuns: 100 },
    );
  });
});

describe('serialize › bounded work', () => {
  it('reads a sparse array of 100 million slots only up to the item cap', () => {
    const [out, ms] = timed(() => serialize({ holes: new Array(1e8) }, opts));
    expect(ms).toBeLessThan(200);
    expect(out).toContain(`${TRUNCATION_MARKER} 99999000 more items`);
  });

  it('summarises a 20 MB Buffer and typed arrays without reading their bytes', () => {
    const buffer = Buffer.alloc(20 * 1024 * 1024);
    let indexReads = 0;
    const watched = new Proxy(buffer, {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) indexReads++;
        return Reflect.get(target, key);
      },
    });
    const value = {
      buffer,
      watched,
      floats: new Float64Array(2_621_440),
      view: new DataView(new ArrayBuffer(1024)),
      shared: new SharedArrayBuffer(64),
    };
    const [out, ms] = timed(() => serialize(value, opts));
    expect(indexReads).toBe(0);
    expect(ms).toBeLessThan(100);
    expect(JSON.parse(out)).toEqual({
      buffer: { type: 'binary', kind: 'Buffer', bytes: 20 * 1024 * 1024 },
      watched: { type: 'binary', kind: 'Buffer', bytes: 20 * 1024 * 1024 },
      floats: { type: 'binary', kind: 'Float64Array', bytes: 20 * 1024 * 1024 },
      view: { type: 'binary', kind: 'DataView', bytes: 1024 },
      shared: { type: 'binary', kind: 'SharedArrayBuffer', bytes: 64 },
    });
  });

  it('summarises a Set and a Map of 2 million entries without copying them', () => {
    const items = Array.from({ length: 2_000_000 }, (_, i) => i);
    const set = new Set(items);
    const map = new Map(items.map((i) => [i, i]));
    const [out, ms] = timed(() => serialize({ set, map }, opts));
    expect(ms).toBeLessThan(100);
    expect(out).toContain(`${TRUNCATION_MARKER} 1999000 more`);
  });

  it('reads the values of at most 1,000 keys of a large object', () => {
    let reads = 0;
    const target = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const watched = new Proxy(target, {
      get(t, key) {
        if (typeof key === 'string' && key.startsWith('k')) reads++;
        return Reflect.get(t, key);
      },
    });
    const out = serialize(watched, roomy);
    expect(reads).toBe(1000);
    expect(out).toContain(`${TRUNCATION_MARKER} 99000 more keys`);
  });

  it('unboxes a String object instead of listing its characters as keys', () => {
    const [out, ms] = timed(() => serialize({ s: new String('x'.repeat(5_000_000)) }, { maxBytes: 1024 }));
    expect(ms).toBeLessThan(200);
    expect(out.startsWith('{"s":"xxx')).toBe(true);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

describe('serialize › hostile values', () => {
  it('keeps the rest of a value that holds a revoked Proxy', () => {
    const out = JSON.parse(serialize({ ok: 1, gone: revokedProxy(), list: [revokedProxy(), 2] }, opts));
    expect(out.ok).toBe(1);
    expect(typeof out.gone).toBe('string');
    expect(out.list[1]).toBe(2);
    expect(() => serialize(revokedProxy(), opts)).not.toThrow();
  });

  it('survives a Proxy whose every trap throws, at the top and inside', () => {
    expect(typeof serialize(throwingProxy(), opts)).toBe('string');
    expect(JSON.parse(serialize({ ok: true, p: throwingProxy() }, opts)).ok).toBe(true);
    expect(JSON.parse(serialize(new Map([['p', throwingProxy()]]), opts))).toHaveProperty('p');
  });

  it('survives throwing getters on array items, functions, Errors and binary data', () => {
    const explode = {
      get() {
        throw new Error('getter exploded');
      },
    };
    const items = Object.defineProperty([1, 2, 3], 1, explode);
    const fn = Object.defineProperty(() => {}, 'name', explode);
    const error = Object.defineProperty(new Error('boom'), 'message', explode);
    const bytes = Object.defineProperty(new Uint8Array(4), 'byteLength', explode);
    const out = JSON.parse(serialize({ items, fn, error, bytes, ok: 'yes' }, opts));
    expect(out.items).toEqual([1, '[getter threw]', 3]);
    expect(out.ok).toBe('yes');
    expect(typeof out.fn).toBe('string');
  });

  it('never throws, stays under the cap and returns quickly, whatever the value holds', () => {
    fc.assert(
      fc.property(blueprint, fc.integer({ min: 256, max: 4096 }), (plan, maxBytes) => {
        const v = materialize(plan);
        const [out, ms] = timed(() => serialize(v, { maxBytes }));
        expect(typeof out).toBe('string');
        expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
        expect(ms).toBeLessThan(250);
      }),
      { numRuns: 300 },
    );
  });
});

describe('serialize › options', () => {
  it('uses the default 32 KiB cap when called without options, as plain JavaScript may', () => {
    const untyped = serialize as (value: unknown, options?: unknown) => string;
    expect(untyped({ a: 1 })).toBe('{"a":1}');
    const out = untyped('x'.repeat(100_000));
    expect(bytes(out)).toBe(32 * 1024);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('falls back to the default cap for an unusable cap or options object', () => {
    const untyped = serialize as (value: unknown, options?: unknown) => string;
    const long = 'x'.repeat(100_000);
    for (const options of [null, {}, { maxBytes: Number.NaN }, { maxBytes: '100' }, { maxBytes: Infinity }]) {
      expect(bytes(untyped(long, options))).toBe(32 * 1024);
    }
    expect(() => untyped({ a: 1 }, revokedProxy())).not.toThrow();
    expect(() => untyped({ a: 1 }, { maxBytes: 1024, mask: 'not a function' })).not.toThrow();
  });

  it('never returns more than the marker when the cap is smaller than the marker', () => {
    const options: SerializeOptions = { maxBytes: 5 };
    expect(serialize('x'.repeat(100), options)).toBe(TRUNCATION_MARKER);
  });
});
