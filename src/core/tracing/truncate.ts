import { DEFAULT_MAX_PAYLOAD_BYTES } from '../constants.js';

/** The byte cap of a payload (§9): text over it is cut, and the cut is marked. */

/** Marks a cut payload: whatever was left out (bytes, items, keys, depth), the text says so. */
export const TRUNCATION_MARKER = '…[truncated by basalt-observe]';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The UTF-8 size of `text`: `Buffer.byteLength` where there is a `Buffer` (Node, Bun, Deno, Workers
 * with nodejs_compat), else counted without encoding it (Vercel Edge, Workers without
 * nodejs_compat). A lone surrogate counts 3 bytes, as its replacement character U+FFFD encodes.
 */
export const utf8Length: (text: string) => number =
  typeof Buffer === 'function' && typeof Buffer.byteLength === 'function'
    ? (text) => Buffer.byteLength(text, 'utf8')
    : countUtf8;

/** Any UTF-16 unit past ASCII (lone surrogates included): its absence makes a string its own byte length. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * The UTF-8 size of `text` as `TextEncoder` writes it, counted code unit by code unit (a lone
 * surrogate becomes U+FFFD: 3 bytes). The OTLP encoder measures every string with it.
 */
export function countUtf8(text: string): number {
  const length = text.length;
  if (length > 32 && !NON_ASCII.test(text)) return length; // the regexp engine scans faster than a loop here
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        bytes += 2; // a pair: 2 UTF-16 units, 4 bytes
        i++;
      } else bytes += 2;
    } else bytes += 2;
  }
  return bytes;
}

const MARKER_BYTES = utf8Length(TRUNCATION_MARKER);

/** Cuts `text` so that its UTF-8 size, marker included, is at most `maxBytes`. */
export function truncate(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no measuring.
  if (text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - MARKER_BYTES);
  let cut = decoder.decode(encoder.encode(text.slice(0, budget)).subarray(0, budget));
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes): drop it.
  while (cut.endsWith('\uFFFD') && utf8Length(cut) > budget - 2) cut = cut.slice(0, -1);
  if (utf8Length(cut) > budget) cut = cut.slice(0, -1);
  return cut + TRUNCATION_MARKER;
}

/** The cap to apply: `maxBytes` when it is a usable number, else the default; never below the marker. */
export function byteCap(maxBytes: unknown): number {
  if (typeof maxBytes !== 'number' || !Number.isFinite(maxBytes)) return DEFAULT_MAX_PAYLOAD_BYTES;
  return Math.max(MARKER_BYTES, Math.floor(maxBytes));
}
