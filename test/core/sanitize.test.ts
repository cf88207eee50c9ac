import { isAttributeValue } from '@opentelemetry/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeValue,
  boundedString,
  SANITIZE_LIMITS,
  sanitizeAttributes,
  spanName,
} from '../../src/core/tracing/sanitize.js';
import { TRUNCATION_MARKER } from '../../src/core/tracing/serialize.js';
import { replayFastCheckSeed } from './fc-seed.js';
import { blueprint, hostiles, materialize, revokedProxy, throwingProxy } from './hostile-values.js';

replayFastCheckSeed();

/** Our own, stricter rule: a string, a finite number, a boolean, or an array of one of those types. */
function isStrictAttributeValue(value: unknown): boolean {
  const primitive = (v: unknown) =>
    typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  if (!Array.isArray(value)) return primitive(value);
  return value.every((item) => primitive(item) && typeof item === typeof value[0]);
}

/** UTF-16 units an attribute value holds: a string's length, or all strings of an array together. */
function charsOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value))
    return value.reduce<number>((n, item) => n + (typeof item === 'string' ? item.length : 0), 0);
  return 0;
}

const badNames: Array<[string, () => unknown]> = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['a number', () => 42],
  ['a Buffer', () => Buffer.from('tool')],
  ['a Proxy', () => new Proxy({}, {})],
  ['a revoked Proxy', revokedProxy],
  ['a Proxy whose traps throw', throwingProxy],
  ['a Symbol', () => Symbol('tool')],
  ['an empty string', () => ''],
  ['a blank string', () => ' \n\t '],
];

describe('spanName', () => {
  it('keeps a non-blank string', () => {
    expect(spanName('retrieve docs', 'span')).toBe('retrieve docs');
    expect(spanName(' padded ', 'span')).toBe(' padded ');
  });

  it.each(badNames)('uses the fallback for %s', (_label, make) => {
    expect(spanName(make(), 'tool')).toBe('tool');
  });

  it('uses "span" when the fallback is unusable too', () => {
    expect(spanName(undefined, '')).toBe('span');
    expect(spanName(null, undefined as unknown as string)).toBe('span');
  });

  it('cuts a long name to 256 characters ending with the marker, never between surrogate halves', () => {
    const whole = spanName('x'.repeat(224) + '😀'.repeat(100), 'span');
    expect(whole).toHaveLength(256);
    expect(whole.endsWith(`x😀${TRUNCATION_MARKER}`)).toBe(true);
    // The cut would fall between the halves of an emoji: the whole emoji goes.
    const split = spanName('x'.repeat(225) + '😀'.repeat(100), 'span');
    expect(split).toHaveLength(255);
    expect(split.endsWith(`x${TRUNCATION_MARKER}`)).toBe(true);
    expect(spanName('y'.repeat(1_000_000), 'span')).toHaveLength(SANITIZE_LIMITS.spanNameChars);
  });
});

describe('attributeValue', () => {
  it('passes strings, finite numbers and booleans, and leaves undefined and null out', () => {
    expect(attributeValue('gpt-4o')).toBe('gpt-4o');
    expect(attributeValue(0.7)).toBe(0.7);
    expect(attributeValue(false)).toBe(false);
    expect(attributeValue(undefined)).toBeUndefined();
    expect(attributeValue(null)).toBeUndefined();
  });

  it('writes non-finite numbers, bigints and symbols as text', () => {
    expect([Number.NaN, Infinity, -Infinity].map((n) => attributeValue(n))).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(attributeValue(2n ** 70n)).toBe('1180591620717411303424');
    expect(attributeValue(Symbol('k'))).toBe('Symbol(k)');
    expect(attributeValue(10n ** 100n, 50)).toBe(TRUNCATION_MARKER);
  });

  it('passes a copy of a homogeneous primitive array of at most 128 items', () => {
    const stops = ['\n\n', 'END'];
    const out = attributeValue(stops);
    expect(out).toEqual(stops);
    expect(out).not.toBe(stops);
    expect(attributeValue([])).toEqual([]);
    expect(attributeValue([1, 2.5])).toEqual([1, 2.5]);
  });

  it('writes mixed, holey, nested, long or oversized arrays as JSON text', () => {
    expect(attributeValue([1, 'a'])).toBe('[1,"a"]');
    expect(attributeValue(['a', null])).toBe('["a",null]');
    expect(attributeValue([1, Number.NaN])).toBe('[1,"NaN"]');
    expect(attributeValue([['a']])).toBe('[["a"]]');
    expect(attributeValue(Array.from({ length: 129 }, () => 1))).toBe(`[${Array(129).fill(1).join(',')}]`);
    const big = attributeValue(['x'.repeat(100), 'y'.repeat(100)], 150) as string;
    expect(big.startsWith(`["${'x'.repeat(100)}","y`)).toBe(true);
    expect(big.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(big.length).toBeLessThanOrEqual(150);
  });

  it('writes objects, Buffers, Proxies and functions as JSON text within the cap', () => {
    expect(attributeValue({ a: 1 })).toBe('{"a":1}');
    expect(attributeValue(Buffer.alloc(20 * 1024 * 1024))).toBe('{"type":"binary","kind":"Buffer","bytes":20971520}');
    expect(attributeValue(revokedProxy())).toBe('"[unreadable object]"');
    expect(typeof attributeValue(throwingProxy())).toBe('string');
    expect(typeof attributeValue(hostiles['#throwing-to-string']!())).toBe('string');
    const long = attributeValue({ text: 'z'.repeat(10_000) }, 100) as string;
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('cuts a string to maxChars, marker included, and treats an unusable maxChars as the default', () => {
    expect(attributeValue('a'.repeat(1000), 100)).toBe('a'.repeat(70) + TRUNCATION_MARKER);
    expect(attributeValue('a'.repeat(1000), 1)).toBe(TRUNCATION_MARKER);
    expect(attributeValue('a'.repeat(40_000), Number.NaN)).toHaveLength(SANITIZE_LIMITS.attributeChars);
  });
});

describe('sanitizeAttributes', () => {
  it('returns a fresh plain object of safe values and leaves the unusable out', () => {
    const input = {
      model: 'gpt-4o',
      temperature: 0.2,
      stream: true,
      stops: ['END'],
      none: undefined,
      nothing: null,
      nested: { a: [1, 2] },
      buffer: Buffer.from('hi'),
      gone: revokedProxy(),
      '': 'empty key',
    };
    const out = sanitizeAttributes(input);
    expect(out).not.toBe(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual({
      model: 'gpt-4o',
      temperature: 0.2,
      stream: true,
      stops: ['END'],
      nested: '{"a":[1,2]}',
      buffer: '{"type":"binary","kind":"Buffer","bytes":2}',
      gone: '"[unreadable object]"',
    });
  });

  it('skips a key whose getter throws and keeps the others', () => {
    const input = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });
    expect(sanitizeAttributes(input)).toEqual({ ok: 1 });
  });

  it('drops an own __proto__ key and cuts long keys', () => {
    const out = sanitizeAttributes(JSON.parse(`{"__proto__":"x","${'k'.repeat(300)}":1}`));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual([`${'k'.repeat(226)}${TRUNCATION_MARKER}`]);
  });

  it('reads at most 128 keys', () => {
    let reads = 0;
    const target = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    const watched = new Proxy(target, {
      get(t, key) {
        reads++;
        return Reflect.get(t, key);
      },
    });
    expect(Object.keys(sanitizeAttributes(watched))).toHaveLength(128);
    expect(reads).toBe(128);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'attrs'],
    ['an array', ['a']],
    ['a function', () => ({ a: 1 })],
    ['a revoked Proxy', revokedProxy()],
    ['a Proxy whose traps throw', throwingProxy()],
  ])('gives {} for %s', (_label, input) => {
    expect(sanitizeAttributes(input)).toEqual({});
  });
});

describe('boundedString', () => {
  it('keeps strings, cut to maxChars with the marker', () => {
    expect(boundedString('user-1', 64)).toBe('user-1');
    expect(boundedString('', 64)).toBe('');
    expect(boundedString('u'.repeat(100), 64)).toBe('u'.repeat(34) + TRUNCATION_MARKER);
  });

  it('writes finite numbers and bigints in decimal', () => {
    expect(boundedString(42, 64)).toBe('42');
    expect(boundedString(12345678901234567890n, 64)).toBe('12345678901234567890');
    expect(boundedString(-7n, 64)).toBe('-7');
    expect(boundedString(10n ** 100n, 64)).toBeUndefined();
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['a boolean', true],
    ['a Symbol', Symbol('u')],
    ['a plain object', { id: 'u1' }],
    ['a null-prototype object', Object.assign(Object.create(null), { id: 'u1' })],
    ['a boxed string', new String('u1')],
    ['a Buffer', Buffer.from('u1')],
    ['a revoked Proxy', revokedProxy()],
    ['a function', () => 'u1'],
    ['undefined', undefined],
    ['null', null],
  ])('rejects %s', (_label, value) => {
    expect(boundedString(value, 64)).toBeUndefined();
  });
});

describe('sanitize › properties', () => {
  const anyValue = blueprint;
  const maxChars = fc.integer({ min: 0, max: 5000 });

  it('spanName always returns a non-blank string of at most 256 characters', () => {
    fc.assert(
      fc.property(anyValue, fc.string(), (plan, fallback) => {
        const name = spanName(materialize(plan), fallback);
        expect(typeof name).toBe('string');
        expect(name.trim()).not.toBe('');
        expect(name.length).toBeLessThanOrEqual(SANITIZE_LIMITS.spanNameChars);
      }),
      { numRuns: 300 },
    );
  });

  it('attributeValue never throws and gives undefined or a valid value within maxChars', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.string({ unit: 'binary', maxLength: 3000 })), maxChars, (plan, cap) => {
        const out = attributeValue(materialize(plan), cap);
        if (out === undefined) return;
        expect(isStrictAttributeValue(out)).toBe(true);
        expect(isAttributeValue(out)).toBe(true);
        expect(charsOf(out)).toBeLessThanOrEqual(Math.max(cap, TRUNCATION_MARKER.length));
        if (Array.isArray(out)) expect(out.length).toBeLessThanOrEqual(SANITIZE_LIMITS.arrayItems);
      }),
      { numRuns: 500 },
    );
  });

  it('sanitizeAttributes never throws and gives at most 128 valid attributes', () => {
    const attrs = fc.oneof(fc.dictionary(fc.string(), anyValue, { maxKeys: 200 }), anyValue);
    fc.assert(
      fc.property(attrs, (plan) => {
        const out = sanitizeAttributes(materialize(plan));
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        const keys = Object.keys(out);
        expect(keys.length).toBeLessThanOrEqual(SANITIZE_LIMITS.attributes);
        for (const key of keys) {
          expect(key).not.toBe('');
          expect(key.length).toBeLessThanOrEqual(SANITIZE_LIMITS.keyChars);
          expect(isStrictAttributeValue(out[key])).toBe(true);
          expect(charsOf(out[key])).toBeLessThanOrEqual(SANITIZE_LIMITS.attributeChars);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('boundedString gives a string within maxChars for strings, finite numbers and small bigints only', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.string(), fc.bigInt(), fc.double()), maxChars, (plan, cap) => {
        const value = materialize(plan);
        const out = boundedString(value, cap);
        const coercible =
          typeof value === 'string' ||
          typeof value === 'bigint' ||
          (typeof value === 'number' && Number.isFinite(value));
        if (!coercible) expect(out).toBeUndefined();
        if (out !== undefined) expect(out.length).toBeLessThanOrEqual(Math.max(cap, TRUNCATION_MARKER.length));
        if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
          expect(typeof out).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
