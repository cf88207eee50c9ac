import type { MaskFunction, MaskInfo } from '../config.js';

export interface SerializeOptions {
  /** Byte cap of the result (UTF-8), marker included. */
  maxBytes: number;
  mask?: MaskFunction | undefined;
  info?: MaskInfo;
}

/** Marks a truncated payload; the caller sees where the cut is and how big the value was. */
export const TRUNCATION_MARKER = '…[truncated by basalt-observe]';

const MAX_DEPTH = 24;
const MAX_KEYS = 1000;

/**
 * Turns any value into the string written to `basalt.span.input`/`output` (SPEC §9): a string stays
 * raw, anything else becomes JSON. Never throws: circular references, BigInt, Map/Set, Date, Error,
 * binary (summarised by type and size, never inlined), functions, symbols and throwing getters all
 * have a safe form. Results over `maxBytes` are cut and end with `TRUNCATION_MARKER`.
 */
export function serialize(value: unknown, options: SerializeOptions): string {
  let masked = value;
  if (options.mask) {
    try {
      masked = options.mask(value, options.info ?? { field: 'input', spanName: '' });
    } catch {
      // Never export what the mask was meant to hide.
      return '[mask threw: value withheld]';
    }
  }
  let text: string;
  try {
    if (typeof masked === 'string') text = masked;
    // Plain JSON data (what the adapters build) needs no defensive copy: stringify it directly.
    else if (scansAsPlainJson(masked, options.maxBytes)) {
      text = JSON.stringify(masked) ?? 'null';
    } else text = JSON.stringify(toJsonSafe(masked, options.maxBytes)) ?? 'null';
  } catch {
    text = '[unserializable]';
  }
  return truncate(text, options.maxBytes);
}

/** Cuts `text` so that its UTF-8 size, marker included, is at most `maxBytes`. */
export function truncate(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATION_MARKER, 'utf8'));
  let cut = Buffer.from(text.slice(0, budget), 'utf8').subarray(0, budget).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes): drop it.
  while (cut.endsWith('\uFFFD') && Buffer.byteLength(cut, 'utf8') > budget - 2) cut = cut.slice(0, -1);
  if (Buffer.byteLength(cut, 'utf8') > budget) cut = cut.slice(0, -1);
  return cut + TRUNCATION_MARKER;
}

/** A summary standing in for binary data (images, audio, buffers). */
export function binarySummary(type: string, bytes: number, mediaType?: string): Record<string, unknown> {
  return mediaType ? { type: 'binary', kind: type, mediaType, bytes } : { type: 'binary', kind: type, bytes };
}

/**
 * Converts a value to something `JSON.stringify` handles. `budget` bounds the work: once the
 * estimated output passes it, the rest is replaced by a placeholder (truncation happens anyway).
 */
export function toJsonSafe(value: unknown, budget = Number.POSITIVE_INFINITY): unknown {
  const state = { spent: 0, budget: budget * 2 };
  const ancestors: object[] = [];

  const walk = (input: unknown, depth: number): unknown => {
    if (state.spent > state.budget) return '[…]';
    switch (typeof input) {
      case 'string':
        state.spent += input.length;
        return input.length > state.budget ? input.slice(0, Math.max(0, state.budget)) : input;
      case 'number':
        state.spent += 8;
        return Number.isFinite(input) ? input : String(input);
      case 'boolean':
        state.spent += 5;
        return input;
      case 'bigint':
        state.spent += 20;
        return input.toString();
      case 'symbol':
        return input.toString();
      case 'function':
        return `[Function ${input.name || 'anonymous'}]`;
      case 'undefined':
        return undefined;
    }
    if (input === null) return null;
    const obj = input as object;
    if (ancestors.includes(obj)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Max depth]';
    const special = specialForm(obj);
    if (special !== NOT_SPECIAL) return special;
    ancestors.push(obj);
    try {
      if (Array.isArray(obj)) return walkArray(obj, depth);
      if (obj instanceof Map) {
        return walkEntries(
          Array.from(obj.entries(), ([k, v]) => [String(k), v] as const),
          depth,
        );
      }
      if (obj instanceof Set) return walkArray(Array.from(obj), depth);
      const toJSON = safeGet(obj, 'toJSON');
      if (typeof toJSON === 'function') {
        try {
          return walk(toJSON.call(obj), depth + 1);
        } catch {
          return '[toJSON threw]';
        }
      }
      return walkEntries(
        safeKeys(obj).map((k) => [k, safeGet(obj, k)] as const),
        depth,
      );
    } finally {
      ancestors.pop();
    }
  };

  const walkArray = (items: unknown[], depth: number): unknown[] => {
    const out: unknown[] = [];
    const n = Math.min(items.length, MAX_KEYS);
    for (let i = 0; i < n && state.spent <= state.budget; i++) {
      const v = walk(items[i], depth + 1);
      out.push(v === undefined ? null : v);
    }
    if (items.length > out.length) out.push(`[… ${items.length - out.length} more items]`);
    return out;
  };

  const walkEntries = (entries: ReadonlyArray<readonly [string, unknown]>, depth: number) => {
    const out: Record<string, unknown> = {};
    let i = 0;
    for (const [k, v] of entries) {
      if (i++ >= MAX_KEYS || state.spent > state.budget) {
        setOwn(out, '…', `[${entries.length - i + 1} more keys]`);
        break;
      }
      state.spent += k.length + 4;
      const w = walk(v, depth + 1);
      if (w !== undefined) setOwn(out, k, w);
    }
    return out;
  };

  return walk(value, 0);
}

const NOT_SPECIAL = Symbol('not-special');
/** Values the plain-JSON pre-scan looks at, at most, before leaving the value to `toJsonSafe`. */
const PLAIN_SCAN_LIMIT = 2000;
const PLAIN_MAX_DEPTH = 16;

/** `isPlainJson` within its budgets; a getter that throws during the scan means "not plain". */
function scansAsPlainJson(value: unknown, maxBytes: number): boolean {
  try {
    return isPlainJson(value, 0, { left: PLAIN_SCAN_LIMIT, chars: maxBytes * 2 });
  } catch {
    return false;
  }
}

/**
 * True when `JSON.stringify(value)` is exactly what `toJsonSafe` would produce: only strings,
 * finite numbers, booleans, null, undefined in objects, arrays, and objects with the plain prototype
 * (no `toJSON`, Map, Date, binary, cycles: deeper than `PLAIN_MAX_DEPTH` counts as not plain).
 * Bounded by `budget` (values and string characters). May throw (a getter): see `scansAsPlainJson`.
 */
function isPlainJson(value: unknown, depth: number, budget: { left: number; chars: number }): boolean {
  if (--budget.left < 0) return false;
  switch (typeof value) {
    case 'string':
      // A payload far over the cap goes through `toJsonSafe`, which stops copying at the cap.
      budget.chars -= value.length;
      return budget.chars >= 0;
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= PLAIN_MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    if (value.length > MAX_KEYS) return false;
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1, budget)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  if (keys.length > MAX_KEYS) return false;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && !isPlainJson(item, depth + 1, budget)) return false;
  }
  return true;
}

function specialForm(obj: object): unknown {
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof Error) {
    const out: Record<string, unknown> = { name: obj.name, message: obj.message };
    const code = safeGet(obj, 'code');
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    return out;
  }
  if (obj instanceof RegExp) return obj.toString();
  if (obj instanceof URL) return obj.href;
  if (ArrayBuffer.isView(obj)) return binarySummary(obj.constructor?.name ?? 'ArrayBufferView', obj.byteLength);
  if (obj instanceof ArrayBuffer) return binarySummary('ArrayBuffer', obj.byteLength);
  if (typeof Blob !== 'undefined' && obj instanceof Blob) return binarySummary('Blob', obj.size, obj.type || undefined);
  if (obj instanceof WeakMap || obj instanceof WeakSet) return `[${obj.constructor.name}]`;
  if (obj instanceof Promise) return '[Promise]';
  if (typeof (obj as { getReader?: unknown }).getReader === 'function') return '[ReadableStream]';
  return NOT_SPECIAL;
}

/**
 * `out[key] = value` as an own data property, even for `__proto__`: plain assignment would call the
 * inherited `__proto__` setter and drop the key (`JSON.parse('{"__proto__":[]}')` became `{}`).
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function safeKeys(obj: object): string[] {
  try {
    return Object.keys(obj);
  } catch {
    return [];
  }
}

function safeGet(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return '[getter threw]';
  }
}
