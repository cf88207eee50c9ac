import type { Attributes } from '@opentelemetry/api';
import type { MaskInfo, ResolvedTelemetry } from '../config.js';
import { ATTR, METADATA_PREFIX } from './attributes.js';
import { attributeValue } from './sanitize.js';
import { MASK_WITHHELD, maskValue, serialize } from './serialize.js';
import { SharedContent } from './shared-content.js';

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
 * Bounds of the root's flattened metadata, `basalt.meta.<key>` (docs/wire-format.md). OpenTelemetry
 * keeps 128 attributes per span by default and drops any set past them, the root's output included:
 * 32 keys leave the root's own ~25 plenty of room.
 */
export const FLAT_METADATA_LIMITS = { keys: 32, keyChars: 64, valueChars: 1024 } as const;

/**
 * What a span's metadata becomes on the wire: `basalt.metadata`, the JSON of the whole record (the
 * Python SDK's form), and, on a root (`flat` given), `basalt.meta.<key>` for its string, finite
 * number and boolean values (the JS SDK's form). `mask` runs once, and both come from what it
 * returned; when it throws, neither carries the value. `flat` holds the flattened keys this span
 * has written so far: it never writes more than `FLAT_METADATA_LIMITS.keys` different ones.
 */
export function metadataAttributes(
  telemetry: ResolvedTelemetry,
  metadata: Record<string, unknown>,
  spanName: string,
  flat?: Set<string>,
): Attributes {
  const masked = maskValue(metadata, telemetry.mask, { field: 'metadata', spanName });
  if (!masked) return { [ATTR.METADATA]: MASK_WITHHELD };
  const attributes: Attributes = { [ATTR.METADATA]: serialize(masked.value, { maxBytes: telemetry.maxPayloadBytes }) };
  if (flat && masked.value && typeof masked.value === 'object') {
    // What a mask returned is read as defensively as the user's own record.
    for (const [key, value] of Object.entries(mergeMetadata(undefined, masked.value))) {
      const flatValue = flatMetadataValue(value);
      if (flatValue === undefined || key === '' || key.length > FLAT_METADATA_LIMITS.keyChars) continue;
      const name = `${METADATA_PREFIX}${key}`;
      if (!flat.has(name) && flat.size >= FLAT_METADATA_LIMITS.keys) continue;
      flat.add(name);
      attributes[name] = flatValue;
    }
  }
  return attributes;
}

/**
 * A metadata value as a native attribute: a string (cut at `FLAT_METADATA_LIMITS.valueChars`, with
 * the marker), a finite number or a boolean. Anything else is left to `basalt.metadata`: JSON text
 * under `basalt.meta.<key>` would be no native type to filter on, only a second copy.
 */
function flatMetadataValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string') return attributeValue(value, FLAT_METADATA_LIMITS.valueChars) as string;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * What a content value becomes on the wire: `undefined` when there is nothing to write or its field
 * is not recorded (`recordInputs`/`recordOutputs`), else the serialized, masked, truncated string.
 * A `SharedContent` is serialized once for all its writes when there is no mask.
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
  let raw: unknown = value;
  if (raw instanceof SharedContent) {
    if (telemetry.mask === undefined) return raw.text(telemetry);
    raw = raw.value;
  }
  return serialize(raw, { maxBytes: telemetry.maxPayloadBytes, mask: telemetry.mask, info: { field, spanName } });
}

/**
 * `basalt.span.evaluation.config`: `{"sample_rate": n}` exactly as the Python SDK's `json.dumps`
 * writes it (`{"sample_rate": 1.0}`, `{"sample_rate": 0.25}`, `{"sample_rate": 1e-05}`), so the
 * text is the same byte for byte whichever SDK sent it (#16). `rate` is a checked rate in [0, 1].
 */
export function evaluationConfigText(rate: number): string {
  return `{"sample_rate": ${pythonFloat(rate)}}`;
}

/** A finite float as Python's `repr` writes it: `1.0`, `0.25`, `1e-05` (exponent below 1e-4, two digits at least). */
function pythonFloat(n: number): string {
  if (Number.isInteger(n)) return `${n}.0`;
  if (Math.abs(n) >= 1e-4 && Math.abs(n) < 1e16) return String(n);
  const [mantissa, exponent = '+0'] = n.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
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
