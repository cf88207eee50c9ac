import { DEFAULT_MAX_PAYLOAD_BYTES } from '../constants.js';

/** The byte cap of a payload (§9): text over it is cut, and the cut is marked. */

/** Marks a cut payload: whatever was left out (bytes, items, keys, depth), the text says so. */
export const TRUNCATION_MARKER = '…[truncated by basalt-observe]';

const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER, 'utf8');

/** Cuts `text` so that its UTF-8 size, marker included, is at most `maxBytes`. */
export function truncate(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - MARKER_BYTES);
  let cut = Buffer.from(text.slice(0, budget), 'utf8').subarray(0, budget).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes): drop it.
  while (cut.endsWith('\uFFFD') && Buffer.byteLength(cut, 'utf8') > budget - 2) cut = cut.slice(0, -1);
  if (Buffer.byteLength(cut, 'utf8') > budget) cut = cut.slice(0, -1);
  return cut + TRUNCATION_MARKER;
}

/** The cap to apply: `maxBytes` when it is a usable number, else the default; never below the marker. */
export function byteCap(maxBytes: unknown): number {
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes)) return DEFAULT_MAX_PAYLOAD_BYTES;
  return Math.max(MARKER_BYTES, Math.floor(maxBytes));
}
