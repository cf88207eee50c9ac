import type { MaskFunction, MaskInfo } from '../config.js';
import { scansAsPlainJson, stringifyOrUndefined } from './plain-json.js';
import { byteCap, TRUNCATION_MARKER, truncate } from './truncate.js';
import { binaryForm, kindOf, safeGet } from './value-forms.js';

export { TRUNCATION_MARKER, truncate } from './truncate.js';
export { binarySummary } from './value-forms.js';

export interface SerializeOptions {
  /** Byte cap of the result (UTF-8), marker included. Default 32 KiB; never below the marker's 32 bytes. */
  maxBytes?: number;
  mask?: MaskFunction | undefined;
  info?: MaskInfo;
}

const MAX_DEPTH = 24;
/** Entries of one collection kept at most; also the plain-JSON fast path's bound. */
export const MAX_KEYS = 1000;

/**
 * Turns any value into the string written to `basalt.span.input`/`output` (SPEC §9): a string stays
 * raw, anything else becomes JSON. Never throws, whatever `value` and `options` are (§10): circular
 * references, BigInt, Map/Set, Date, Error, binary (summarised by type and size, never read),
 * functions, symbols, Proxies (revoked ones too) and throwing getters all have a safe form.
 *
 * Every cut carries `TRUNCATION_MARKER`: results over `maxBytes` end with it; a collection cut at
 * 1,000 entries, nesting cut at depth 24 or a value cut by the work budget keeps valid JSON and holds
 * it in the string that stands for the missing part (`"…[truncated by basalt-observe] 199000 more items"`).
 *
 * @example
 * serialize({ messages }, { maxBytes: 32_768, mask }); // '{"messages":[…]}'
 */
export function serialize(value: unknown, options: SerializeOptions = {}): string {
  try {
    const { maxBytes, mask, info } = options ?? {};
    const cap = byteCap(maxBytes);
    const result = maskValue(value, mask, info ?? { field: 'input', spanName: '' });
    if (!result) return MASK_WITHHELD;
    const masked = result.value;
    if (typeof masked === 'string') return truncate(masked, cap);
    // Plain JSON data (what the adapters build) needs no defensive copy: stringify it directly.
    let text = scansAsPlainJson(masked, cap) ? stringifyOrUndefined(masked) : undefined;
    text ??= JSON.stringify(toJsonSafe(masked, cap)) ?? 'null';
    return truncate(text, cap);
  } catch {
    return '[unserializable]';
  }
}

/** Written instead of a value whose `mask` threw. */
export const MASK_WITHHELD = '[mask threw: value withheld]';

/**
 * `mask(value, info)`, or the value itself without a mask; `undefined` when the mask threw: never
 * export what the mask was meant to hide. Called once per value, whatever is written from it.
 */
export function maskValue(
  value: unknown,
  mask: MaskFunction | undefined,
  info: MaskInfo,
): { value: unknown } | undefined {
  if (mask === undefined) return { value };
  try {
    return { value: mask(value, info) };
  } catch {
    return undefined;
  }
}

interface Walk {
  /** Estimated output characters so far, against `budget`. */
  spent: number;
  budget: number;
  ancestors: object[];
}

/**
 * Converts a value to something `JSON.stringify` handles. `budget` bounds the work: once the
 * estimated output passes it, the rest is replaced by a marked placeholder.
 */
export function toJsonSafe(value: unknown, budget = Number.POSITIVE_INFINITY): unknown {
  return walk(value, 0, { spent: 0, budget: budget * 2, ancestors: [] });
}

const cutNote = (what: string) => `${TRUNCATION_MARKER} ${what}`;

function walk(input: unknown, depth: number, state: Walk): unknown {
  if (state.spent > state.budget) return cutNote('over the size budget');
  switch (typeof input) {
    case 'string':
      return walkString(input, state);
    case 'number':
      state.spent += 8;
      return Number.isFinite(input) ? input : String(input);
    case 'boolean':
      state.spent += 5;
      return input;
    case 'bigint':
    case 'symbol':
      return walkString(input.toString(), state);
    case 'function': {
      const name = safeGet(input, 'name');
      return walkString(`[Function ${typeof name === 'string' && name ? name : 'anonymous'}]`, state);
    }
    case 'undefined':
      return undefined;
  }
  if (input === null) return null;
  const obj = input as object;
  if (state.ancestors.includes(obj)) return '[Circular]';
  state.ancestors.push(obj);
  try {
    return walkObject(obj, depth, state);
  } catch {
    // A revoked Proxy, a trap that throws, a built-in getter called through a Proxy.
    return '[unreadable object]';
  } finally {
    state.ancestors.pop();
  }
}

/** A string, cut (with the marker) where it would pass the budget. */
function walkString(text: string, state: Walk): string {
  const room = Math.max(0, state.budget - state.spent);
  state.spent += text.length;
  return text.length > room ? text.slice(0, room) + TRUNCATION_MARKER : text;
}

/** May throw (Proxy traps, getters): `walk` catches. */
function walkObject(obj: object, depth: number, state: Walk): unknown {
  const special = specialForm(obj, state);
  if (special !== NOT_SPECIAL) return special;
  // Containers are cut at depth; the leaves above (dates, binary, errors) are written at any depth.
  if (depth >= MAX_DEPTH) return cutNote(`nested deeper than ${MAX_DEPTH}`);
  if (Array.isArray(obj)) return walkArray(obj, depth, state);
  if (obj instanceof Map) {
    // The intrinsic iterator: no user override runs, and nothing is copied past the cap.
    const entries = Map.prototype.entries.call(obj) as Iterable<[unknown, unknown]>;
    return walkEntries(entries, obj.size, depth, state, mapKey);
  }
  if (obj instanceof Set) return walkItems(Set.prototype.values.call(obj), obj.size, depth, state);
  const toJSON = safeGet(obj, 'toJSON');
  if (typeof toJSON === 'function') {
    let json: unknown;
    try {
      json = toJSON.call(obj);
    } catch {
      return '[toJSON threw]';
    }
    return walk(json, depth + 1, state);
  }
  return walkKeys(obj, Object.keys(obj), depth, state);
}

/**
 * The first MAX_KEYS own keys into a fresh object, each value read only when reached (a getter may be
 * costly). A plain loop, not an iterator: this is the hot path for framework objects (#14).
 */
function walkKeys(obj: object, keys: readonly string[], depth: number, state: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.min(keys.length, MAX_KEYS);
  let count = 0;
  for (; count < n && state.spent <= state.budget; count++) {
    const key = keys[count] as string;
    const name = walkString(key, state);
    state.spent += 4;
    const value = walk(safeGet(obj, key), depth + 1, state);
    if (value !== undefined) setOwn(out, name, value);
  }
  if (keys.length > count) setOwn(out, '…', cutNote(`${keys.length - count} more keys`));
  return out;
}

/** Array items by index, so a sparse `new Array(1e8)` costs MAX_KEYS reads, not 1e8. */
function walkArray(items: readonly unknown[], depth: number, state: Walk): unknown[] {
  const raw: unknown = items.length;
  const length = typeof raw === 'number' && raw > 0 ? Math.floor(raw) : 0;
  const n = Math.min(length, MAX_KEYS);
  const out: unknown[] = [];
  for (let i = 0; i < n && state.spent <= state.budget; i++) {
    const v = walk(safeGet(items, i), depth + 1, state);
    out.push(v === undefined ? null : v);
  }
  if (length > out.length) out.push(cutNote(`${length - out.length} more items`));
  return out;
}

function walkItems(items: Iterable<unknown>, size: number, depth: number, state: Walk): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (out.length >= MAX_KEYS || state.spent > state.budget) break;
    const v = walk(item, depth + 1, state);
    out.push(v === undefined ? null : v);
  }
  if (size > out.length) out.push(cutNote(`${size - out.length} more items`));
  return out;
}

/** Key/value pairs into a fresh object. Keys are defined, not assigned: an own `__proto__` stays a key. */
function walkEntries(
  entries: Iterable<readonly [unknown, unknown]>,
  size: number,
  depth: number,
  state: Walk,
  keyOf: (key: unknown) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [rawKey, rawValue] of entries) {
    if (count >= MAX_KEYS || state.spent > state.budget) break;
    count++;
    const key = walkString(keyOf(rawKey), state);
    state.spent += 4;
    const value = walk(rawValue, depth + 1, state);
    if (value !== undefined) setOwn(out, key, value);
  }
  if (size > count) setOwn(out, '…', cutNote(`${size - count} more keys`));
  return out;
}

function mapKey(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === null || (typeof key !== 'object' && typeof key !== 'function')) return String(key);
  return '[object key]';
}

const NOT_SPECIAL = Symbol('not-special');
/** Values with a form of their own. May throw (a revoked Proxy): `walk` catches. */
function specialForm(obj: object, state: Walk): unknown {
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof Error) {
    const fields: Array<[string, unknown]> = [
      ['name', safeGet(obj, 'name')],
      ['message', safeGet(obj, 'message')],
    ];
    const code = safeGet(obj, 'code');
    if (typeof code === 'string' || typeof code === 'number') fields.push(['code', code]);
    return walkEntries(fields, fields.length, 0, state, String);
  }
  if (obj instanceof String || obj instanceof Number || obj instanceof Boolean) {
    return walk(obj.valueOf(), 0, state);
  }
  if (obj instanceof RegExp) return walkString(obj.toString(), state);
  if (obj instanceof URL) return walkString(obj.href, state);
  const binary = binaryForm(obj);
  if (binary) return binary;
  if (obj instanceof WeakMap || obj instanceof WeakSet) return `[${kindOf(obj, 'WeakCollection')}]`;
  if (obj instanceof Promise) return '[Promise]';
  if (typeof safeGet(obj, 'getReader') === 'function') return '[ReadableStream]';
  return NOT_SPECIAL;
}

/**
 * `out[key] = value` as an own data property, even for `__proto__`: plain assignment would call the
 * inherited `__proto__` setter and drop the key (`JSON.parse('{"__proto__":[]}')` became `{}`).
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment is several times faster; only `__proto__` needs the defined property.
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
