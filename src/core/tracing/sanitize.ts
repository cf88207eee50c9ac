import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../constants.js';
import { serialize, TRUNCATION_MARKER } from './serialize.js';

/**
 * What the sanitizers let through (lengths in UTF-16 code units, as `String#length` counts).
 * One span name, key or value the user passes must never cost the export batch it travels in (§10).
 */
export const SANITIZE_LIMITS = {
  /** Span names; longer ones are cut and end with `TRUNCATION_MARKER`. */
  spanNameChars: 256,
  /** Attribute keys kept by `sanitizeAttributes`; longer ones are cut the same way. */
  keyChars: 256,
  /** Default cap of one attribute value (strings, JSON text, all strings of an array together). */
  attributeChars: DEFAULT_MAX_PAYLOAD_BYTES,
  /** Arrays longer than this are written as JSON text instead (the cut is then marked). */
  arrayItems: 128,
  /** Keys `sanitizeAttributes` looks at, at most (OpenTelemetry's default attribute count limit). */
  attributes: 128,
} as const;

/**
 * A span name OpenTelemetry can export: `value` when it is a string with a non-blank character
 * (cut to 256 characters, marker included), else `fallback` (itself checked; `'span'` if unusable).
 * Never throws. A non-string name (`undefined`, `null`, a Buffer, a Proxy) used to make the OTLP
 * serializer throw and lose the whole batch (#10, item 2).
 *
 * @example
 * tracer.startSpan(spanName(tool.name, 'tool'));
 */
export function spanName(value: unknown, fallback: string): string {
  const name = typeof value === 'string' ? capChars(value, SANITIZE_LIMITS.spanNameChars) : '';
  if (name.trim() !== '') return name;
  const other = typeof fallback === 'string' ? capChars(fallback, SANITIZE_LIMITS.spanNameChars) : '';
  return other.trim() !== '' ? other : 'span';
}

/**
 * One attribute value OpenTelemetry can store and export, at most `maxChars` long, or `undefined`
 * (leave the attribute out). Never throws.
 * - `undefined`, `null` → `undefined`.
 * - a string → itself, cut to `maxChars` (marker included).
 * - a finite number, a boolean → itself; `NaN`, `±Infinity` → `'NaN'`, `'Infinity'`, `'-Infinity'`
 *   (as `serialize` writes them; the OTLP JSON encoding has no such numbers).
 * - a bigint, a symbol → its text (`'12'`, `'Symbol(x)'`); a symbol's cut the same way, a bigint of
 *   more than `maxChars` digits becomes the marker alone (its digits are never computed).
 * - an array of at most 128 items, all strings, all finite numbers or all booleans, whose strings
 *   together fit `maxChars` → a fresh copy of it.
 * - anything else (objects, other arrays, Buffers, functions, Proxies) → JSON text from `serialize`,
 *   at most `maxChars` bytes, cuts marked.
 *
 * @param maxChars - default `SANITIZE_LIMITS.attributeChars` (32 KiB); at least the marker's length.
 * @example
 * span.setAttribute('basalt.span.evaluators', attributeValue(options.evaluators) ?? []);
 */
export function attributeValue(
  value: unknown,
  maxChars: number = SANITIZE_LIMITS.attributeChars,
): AttributeValue | undefined {
  try {
    const cap = charCap(maxChars, SANITIZE_LIMITS.attributeChars);
    switch (typeof value) {
      case 'undefined':
        return undefined;
      case 'string':
        return capChars(value, cap);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return bigintText(value, cap) ?? TRUNCATION_MARKER;
      case 'symbol':
        return capChars(value.toString(), cap);
    }
    if (value === null) return undefined;
    let array: AttributeValue | undefined;
    try {
      array = primitiveArray(value as object, cap);
    } catch {
      // A Proxy trap or item getter threw: `serialize` gives the value a safe form.
    }
    // `serialize` caps bytes, raised to the marker's 32: cut again for a cap under that.
    return array ?? capChars(serialize(value, { maxBytes: cap }), cap);
  } catch {
    return undefined;
  }
}

/**
 * A fresh plain object holding, for each of the first 128 own enumerable keys of `attrs`, the
 * value `attributeValue` makes of it. Keys that are empty or `__proto__` (the SDK stores attributes
 * by assignment, where that key would set the prototype), values that come out `undefined`, and
 * keys whose getter throws are left out; keys over 256 characters are cut. Anything but a non-array
 * object gives `{}`. Never throws.
 *
 * @example
 * tracer.startSpan(name, { attributes: { ...sanitizeAttributes(options.attributes), [ATTR.TRACE]: true } });
 */
export function sanitizeAttributes(attrs: unknown, maxChars: number = SANITIZE_LIMITS.attributeChars): Attributes {
  const out: Attributes = {};
  if (attrs === null || typeof attrs !== 'object') return out;
  let keys: string[];
  try {
    if (Array.isArray(attrs)) return out;
    keys = Object.keys(attrs).slice(0, SANITIZE_LIMITS.attributes);
  } catch {
    return out; // a revoked Proxy, a throwing `ownKeys` trap
  }
  for (const rawKey of keys) {
    if (rawKey === '' || rawKey === '__proto__') continue;
    let raw: unknown;
    try {
      raw = (attrs as Record<string, unknown>)[rawKey];
    } catch {
      continue;
    }
    const value = attributeValue(raw, maxChars);
    if (value !== undefined) out[capChars(rawKey, SANITIZE_LIMITS.keyChars)] = value;
  }
  return out;
}

/**
 * A string for an id or a name (user and organization ids, experiment name, evaluator slugs), or
 * `undefined` when `value` cannot be one. Never throws.
 * - a string → itself, cut to `maxChars` (marker included); `''` stays `''`.
 * - a finite number, a bigint → its decimal text (a bigint longer than `maxChars` digits → `undefined`).
 * - anything else (`NaN`, booleans, symbols, functions, objects: null-prototype ones, boxed strings,
 *   Buffers and Proxies included) → `undefined`: `String(value)` would throw or invent an id such
 *   as `'[object Object]'`.
 *
 * @param maxChars - at least the marker's length; an unusable value means 256.
 * @example
 * const userId = boundedString(identity.user?.id, 256);
 * if (userId !== undefined) attrs[ATTR.USER_ID] = userId;
 */
export function boundedString(value: unknown, maxChars: number): string | undefined {
  const cap = charCap(maxChars, SANITIZE_LIMITS.keyChars);
  switch (typeof value) {
    case 'string':
      return capChars(value, cap);
    case 'number':
      return Number.isFinite(value) ? capChars(String(value), cap) : undefined;
    case 'bigint':
      return bigintText(value, cap);
    default:
      return undefined;
  }
}

/** A fresh copy of `value` when it is an array OpenTelemetry takes as is (see `attributeValue`). */
function primitiveArray(value: object, cap: number): AttributeValue | undefined {
  if (!Array.isArray(value)) return undefined;
  const length: unknown = value.length;
  if (typeof length !== 'number' || length > SANITIZE_LIMITS.arrayItems) return undefined;
  const out: Array<string | number | boolean> = [];
  let type: string | undefined;
  let chars = 0;
  for (let i = 0; i < length; i++) {
    const item: unknown = value[i];
    const itemType = typeof item;
    if (itemType !== 'string' && itemType !== 'number' && itemType !== 'boolean') return undefined;
    if (itemType === 'number' && !Number.isFinite(item)) return undefined;
    if (type !== undefined && itemType !== type) return undefined;
    type = itemType;
    if (typeof item === 'string') chars += item.length;
    if (chars > cap) return undefined;
    out.push(item as string | number | boolean);
  }
  return out as AttributeValue;
}

/** Decimal text of `value` when it has at most `cap` digits; the size check costs no conversion. */
function bigintText(value: bigint, cap: number): string | undefined {
  const magnitude = value < 0n ? -value : value;
  // 2^(3.33·cap) > 10^cap: anything shifted to non-zero has more than `cap` digits.
  if (magnitude >> BigInt(Math.ceil(cap * 3.33)) !== 0n) return undefined;
  const text = value.toString();
  return text.length <= cap ? text : undefined;
}

/** `text` cut to `maxChars` UTF-16 units, marker included, never between the halves of a surrogate pair. */
function capChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - TRUNCATION_MARKER.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARKER;
}

/** `maxChars` when it is a usable number (raised to the marker's length), else `fallback`. */
function charCap(maxChars: unknown, fallback: number): number {
  if (typeof maxChars !== 'number' || !Number.isFinite(maxChars)) return fallback;
  return Math.max(TRUNCATION_MARKER.length, Math.floor(maxChars));
}
