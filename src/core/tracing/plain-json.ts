import { MAX_KEYS } from './serialize.js';

/**
 * The serializer's fast path: plain JSON data (what the adapters build: messages, parts, usage) is
 * stringified directly after a bounded scan proves `JSON.stringify` writes exactly what the defensive
 * path would; anything else takes the defensive path (`serialize.ts`).
 */

/** Plain-JSON values the pre-scan looks at, at most, before leaving the value to `toJsonSafe`. */
const PLAIN_SCAN_LIMIT = 2000;
const PLAIN_MAX_DEPTH = 16;

/** `isPlainJson` within its budgets; a getter that throws during the scan means "not plain". */
export function scansAsPlainJson(value: unknown, maxBytes: number): boolean {
  try {
    return isPlainJson(value, 0, { left: PLAIN_SCAN_LIMIT, chars: maxBytes * 2 });
  } catch {
    return false;
  }
}

/** `JSON.stringify`, or undefined when a getter read a second time throws: the safe path runs then. */
export function stringifyOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
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
