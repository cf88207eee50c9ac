import type { MaskInfo, ResolvedTelemetry } from '../config.js';
import { serialize } from './serialize.js';

/** What a span's content becomes on the wire: inputs, outputs, metadata and errors (§5, §9). */

type Field = MaskInfo['field'];

/** Keys of one `setMetadata` call read at most: metadata is a small record, not a data dump. */
export const MAX_METADATA_KEYS = 256;

/**
 * `base` with the own enumerable keys of `next` on top, read defensively: a Proxy or an object with
 * throwing getters gives what can be read, a huge array-like (a 20 MB Buffer) gives its first keys,
 * never a full copy.
 */
export function mergeMetadata(base: Record<string, unknown> | undefined, next: object): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  let keys: string[];
  try {
    keys = Array.isArray(next) || ArrayBuffer.isView(next) ? [] : Object.keys(next).slice(0, MAX_METADATA_KEYS);
  } catch {
    return merged;
  }
  for (const key of keys) {
    try {
      Object.defineProperty(merged, key, {
        value: (next as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } catch {
      // A throwing getter: that key is left out.
    }
  }
  return merged;
}

/**
 * What a content value becomes on the wire: `undefined` when there is nothing to write or its field
 * is not recorded (`recordInputs`/`recordOutputs`), else the serialized, masked, truncated string.
 */
export function contentText(
  telemetry: ResolvedTelemetry,
  value: unknown,
  field: Field,
  spanName: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (field === 'input' && !telemetry.recordInputs) return undefined;
  if (field === 'output' && !telemetry.recordOutputs) return undefined;
  return serialize(value, { maxBytes: telemetry.maxPayloadBytes, mask: telemetry.mask, info: { field, spanName } });
}

/** `error.type`: the provider's error code when it has one, else the class name (§5). */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const ctor = (error as object).constructor?.name;
    if (ctor && ctor !== 'Object') return ctor;
  }
  return '_OTHER';
}
