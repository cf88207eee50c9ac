/**
 * Small readers of untyped values (user data, framework payloads), shared by core and both adapters
 * so each rule exists once.
 */

/** A non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A thenable (a Promise, a query builder): an object or function with a `then` method. Never throws:
 * a `then` getter that throws (a Proxy) counts as not a thenable.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/** A finite number, else `undefined` (token counts, parameters). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string, the empty one included, else `undefined`. */
export function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A string with at least one character, else `undefined` (names and ids, where `''` means none). */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * What a value is, for an error message, never its content: for values that may be secret (an API
 * key), huge or hostile (a Proxy). Never throws.
 */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    try {
      return Object.getPrototypeOf(value) === null ? 'an object without prototype' : 'an object';
    } catch {
      return 'an unreadable object';
    }
  }
  return `a ${typeof value}`;
}

/**
 * A bad value as an error message shows it: a short string quoted, a number, boolean or bigint as
 * written, anything else by its type (`describeType`). Never throws, never prints a long string.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 64 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return describeType(value);
}
