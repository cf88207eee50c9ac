import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialize, TRUNCATION_MARKER, toJsonSafe, truncate } from '../../src/core/tracing/serialize.js';
import { replayFastCheckSeed } from './fc-seed.js';

replayFastCheckSeed();

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const opts = { maxBytes: 32 * 1024 };

describe('serialize', () => {
  it('keeps a string raw and writes anything else as JSON', () => {
    expect(serialize('hello', opts)).toBe('hello');
    expect(serialize({ a: 1, b: [true, null] }, opts)).toBe('{"a":1,"b":[true,null]}');
    expect(serialize(42, opts)).toBe('42');
    expect(serialize(undefined, opts)).toBe('null');
  });

  it('gives every awkward value a safe form', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const withGetter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    const value = {
      circular,
      big: 10n ** 30n,
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, 'two'],
      ]),
      set: new Set([1, 2]),
      date: new Date('2026-11-26T00:00:00Z'),
      error: Object.assign(new RangeError('out of range'), { code: 'E_RANGE' }),
      bytes: new Uint8Array(2048),
      buffer: Buffer.alloc(10),
      arrayBuffer: new ArrayBuffer(16),
      fn: function namedFn() {},
      sym: Symbol('s'),
      nan: Number.NaN,
      withGetter,
    };
    expect(JSON.parse(serialize(value, opts))).toEqual({
      circular: { name: 'loop', self: '[Circular]' },
      big: '1000000000000000000000000000000',
      map: { k: 1, '2': 'two' },
      set: [1, 2],
      date: '2026-11-26T00:00:00.000Z',
      error: { name: 'RangeError', message: 'out of range', code: 'E_RANGE' },
      bytes: { type: 'binary', kind: 'Uint8Array', bytes: 2048 },
      buffer: { type: 'binary', kind: 'Buffer', bytes: 10 },
      arrayBuffer: { type: 'binary', kind: 'ArrayBuffer', bytes: 16 },
      fn: '[Function namedFn]',
      sym: 'Symbol(s)',
      nan: 'NaN',
      withGetter: { ok: 1, bad: '[getter threw]' },
    });
  });

  it('keeps the rest of a plain object whose getter throws', () => {
    const value = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    expect(JSON.parse(serialize(value, opts))).toEqual({ ok: 1, bad: '[getter threw]' });
  });

  it('keeps own __proto__ keys on the defensive path', () => {
    const parsed = JSON.parse('{"__proto__":[1],"a":{"__proto__":{"b":2}}}');
    const at = new Date(0);
    expect(serialize([parsed, at], opts)).toBe(
      '[{"__proto__":[1],"a":{"__proto__":{"b":2}}},"1970-01-01T00:00:00.000Z"]',
    );
    expect(serialize(new Map([['__proto__', 1]]), opts)).toBe('{"__proto__":1}');
    const copy = toJsonSafe(parsed) as object;
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('repeats a shared (non-circular) object instead of calling it circular', () => {
    const shared = { x: 1 };
    expect(serialize({ a: shared, b: shared }, opts)).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('cuts deep nesting with a marker', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 100; i++) deep = { next: deep };
    expect(serialize(deep, opts)).toContain(`${TRUNCATION_MARKER} nested deeper than 24`);
  });

  it('truncates a 5 MB string under the cap with a visible marker', () => {
    const out = serialize('x'.repeat(5 * 1024 * 1024), { maxBytes: 1024 });
    expect(bytes(out)).toBeLessThanOrEqual(1024);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('never splits a multi-byte character when truncating', () => {
    const out = truncate('é😀'.repeat(1000), 301);
    expect(bytes(out)).toBeLessThanOrEqual(301);
    expect(out).not.toContain('\uFFFD');
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('passes every value through mask before serializing, with the field and span name', () => {
    const seen: unknown[] = [];
    const out = serialize(
      { email: 'a@b.c' },
      {
        maxBytes: 1024,
        info: { field: 'metadata', spanName: 'root' },
        mask: (value, info) => {
          seen.push([value, info]);
          return { email: '***' };
        },
      },
    );
    expect(out).toBe('{"email":"***"}');
    expect(seen).toEqual([[{ email: 'a@b.c' }, { field: 'metadata', spanName: 'root' }]]);
  });

  it('withholds the value when mask throws', () => {
    const out = serialize('secret', {
      maxBytes: 1024,
      mask: () => {
        throw new Error('mask bug');
      },
    });
    expect(out).not.toContain('secret');
  });

  it('survives toJSON that throws and objects whose keys cannot be listed', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    const value = {
      toJSON: undefined,
      a: {
        toJSON: () => {
          throw new Error('x');
        },
      },
      hostile,
    };
    expect(() => serialize(value, opts)).not.toThrow();
  });
});

describe('serialize › properties', () => {
  const anyValue = fc.oneof(
    fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    }),
    fc.string({ unit: 'grapheme', maxLength: 5000 }),
  );

  it('never throws and always stays under the cap, marker included', () => {
    fc.assert(
      fc.property(anyValue, fc.integer({ min: 256, max: 4096 }), (value, maxBytes) => {
        const out = serialize(value, { maxBytes });
        expect(typeof out).toBe('string');
        expect(bytes(out)).toBeLessThanOrEqual(maxBytes);
      }),
      { numRuns: 500 },
    );
  });

  it('ends every cut payload with the truncation marker, and leaves small ones whole', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.integer({ min: 256, max: 2048 }),
        (s, maxBytes) => {
          const out = serialize(s, { maxBytes });
          if (bytes(s) <= maxBytes) expect(out).toBe(s);
          else expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the mask every value exactly once', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const seen: unknown[] = [];
        serialize(value, {
          maxBytes: 1024,
          mask: (v) => {
            seen.push(v);
            return v;
          },
        });
        expect(seen).toHaveLength(1);
        expect(seen[0]).toBe(value);
      }),
      { numRuns: 200 },
    );
  });

  /** JSON values whose object keys are often the ones a careless copy loses or misreads. */
  const { json } = fc.letrec<{ json: unknown }>((tie) => ({
    json: fc.oneof(
      { depthSize: 'small', maxDepth: 8 },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string(),
      fc.array(tie('json'), { maxLength: 5 }),
      fc.dictionary(
        fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'toJSON', 'valueOf'), fc.string()),
        tie('json'),
        { maxKeys: 5 },
      ),
    ),
  }));
  const roomy = { maxBytes: 1 << 20 };

  it('writes plain JSON data as JSON.stringify does, on the fast and on the defensive path', () => {
    fc.assert(
      fc.property(json, (value) => {
        const oracle = JSON.stringify(value);
        // Fast path: plain data is stringified directly (a string stays raw).
        expect(serialize(value, roomy)).toBe(typeof value === 'string' ? value : oracle);
        // Defensive path: a Date beside the value makes the whole payload non-plain.
        const at = new Date(0);
        expect(serialize([value, at], roomy)).toBe(JSON.stringify([value, at]));
        expect(JSON.stringify(toJsonSafe(value))).toBe(oracle);
      }),
      { numRuns: 500 },
    );
  });

  it('makes JSON-safe values from circular graphs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 10 }), (items) => {
        const node: Record<string, unknown> = { items };
        node.parent = { child: node };
        expect(() => JSON.stringify(toJsonSafe(node))).not.toThrow();
      }),
      { numRuns: 100 },
    );
  });
});
