import type { Attributes, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { countUtf8 } from './truncate.js';

/**
 * The first pass of our OTLP encoder (`otlp-encode.ts`, docs/decisions.md "Our own OTLP encoder"):
 * the exact byte size of every length-delimited message and every string of an
 * `ExportTraceServiceRequest`, in the order the write pass meets them. The write pass reads `sizes`
 * back in that order, so it writes every length prefix at once (no reserve-and-shift) and every
 * string without measuring it again. Field order and omissions follow OpenTelemetry's
 * `serializeTraceExportRequest` (otlp-transformer 0.223); the property test in
 * test/core/otlp-encode.test.ts holds us to its bytes.
 */
export const sizes: number[] = [];
let count = 0;
/**
 * The keys of every attributes object, in the order the write pass meets them, and how many each
 * object has (`keyRuns`): the write pass reads them instead of enumerating the object again. Span
 * attributes are dictionary-mode objects in V8 (OpenTelemetry adds 20–40 keys one by one), where
 * each `for…in` collects and orders the keys anew.
 */
export const keys: string[] = [];
export const keyRuns: number[] = [];
let keyCount = 0;
let runCount = 0;

/** Starts a request: the sizes and keys are recorded from index 0 again. */
export function resetSizes(): void {
  count = 0;
  keyCount = 0;
  runCount = 0;
}

/** Opens a message: its size goes at the returned index once its body is known (`close`). */
export function open(): number {
  return count++;
}

/** Resource → scope → spans, in first-seen order, by identity (as OpenTelemetry groups them). */
export type Groups = Map<ReadableSpan['resource'], Map<ReadableSpan['instrumentationScope'], ReadableSpan[]>>;

export function group(spans: readonly ReadableSpan[]): Groups {
  const byResource: Groups = new Map();
  for (const span of spans) {
    let byScope = byResource.get(span.resource);
    if (!byScope) {
      byScope = new Map();
      byResource.set(span.resource, byScope);
    }
    const list = byScope.get(span.instrumentationScope);
    if (list) list.push(span);
    else byScope.set(span.instrumentationScope, [span]);
  }
  return byResource;
}

export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return c - 55; // 'A'–'F' (anything else gives what OpenTelemetry's hexToBinary gives)
}

/** Span flags: the W3C trace flags, bit 8 "is_remote is known", bit 9 is_remote. */
export function flags(traceFlags: number, remote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (remote ? 0x200 : 0);
}

export function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  if (v < 0x800000000) return 5;
  if (v < 0x40000000000) return 6;
  if (v < 0x2000000000000) return 7;
  if (v < 0x100000000000000) return 8;
  return 9;
}

/** A string field's length prefix and bytes (its tag not included); records its byte length. */
export function str(s: string): number {
  const bytes = countUtf8(s);
  sizes[count++] = bytes;
  return varintSize(bytes) + bytes;
}

/** Closes a message opened at `index`: records its body size, returns prefix + body. */
export function close(index: number, body: number): number {
  sizes[index] = body;
  return varintSize(body) + body;
}

export const MIN_INT64 = -(2 ** 63);
export const MAX_INT64 = 2 ** 63;

function anyValue(value: unknown): number {
  const index = count++;
  let body = 0;
  const type = typeof value;
  if (type === 'string') body = 1 + str(value as string);
  else if (type === 'boolean') body = 2;
  else if (type === 'number') {
    const n = value as number;
    body = Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64 ? 1 + varintSize(n) : 9;
  } else if (value instanceof Uint8Array) body = 1 + varintSize(value.length) + value.length;
  else if (Array.isArray(value)) {
    const arrayIndex = count++;
    let items = 0;
    for (const item of value) items += 1 + anyValue(item);
    body = 1 + close(arrayIndex, items);
  } else if (type === 'object' && value !== null) {
    const listIndex = count++;
    body = 1 + close(listIndex, attributes(value as Attributes));
  }
  return close(index, body);
}

/** Repeated `KeyValue` (each with its 1-byte tag: every attributes field number is < 16). */
export function attributes(attrs: Attributes): number {
  let total = 0;
  // Taken before the values: a nested key-value list records its run (and keys) after this one's.
  const run = runCount++;
  let own = 0;
  for (const key in attrs) {
    if (!Object.hasOwn(attrs, key)) continue;
    keys[keyCount++] = key;
    own++;
    const index = count++;
    total += 1 + close(index, 1 + str(key) + 1 + anyValue(attrs[key]));
  }
  keyRuns[run] = own;
  return total;
}

/** A hex id as `bytes`: length prefix and half as many bytes as hex digits. */
function idBytes(hex: string): number {
  const bytes = hex.length >>> 1;
  return varintSize(bytes) + bytes;
}

function ids(context: SpanContext): number {
  const traceState = context.traceState?.serialize();
  let size = 1 + idBytes(context.traceId) + 1 + idBytes(context.spanId);
  if (traceState) size += 1 + str(traceState);
  return size;
}

function event(e: TimedEvent): number {
  const index = count++;
  let body = 9 + 1 + str(e.name);
  if (e.attributes) body += attributes(e.attributes);
  body += 1 + varintSize(e.droppedAttributesCount || 0);
  return close(index, body);
}

function link(l: Link): number {
  const index = count++;
  let body = ids(l.context);
  if (l.attributes) body += attributes(l.attributes);
  body += 1 + varintSize(l.droppedAttributesCount || 0) + 5;
  return close(index, body);
}

export function span(s: ReadableSpan): number {
  const index = count++;
  let body = ids(s.spanContext());
  const parent = s.parentSpanContext?.spanId;
  if (parent) body += 1 + idBytes(parent);
  body += 1 + str(s.name);
  const kind = s.kind == null ? 0 : s.kind + 1;
  if (kind !== 0) body += 1 + varintSize(kind);
  body += 18;
  if (s.attributes) body += attributes(s.attributes);
  body += 1 + varintSize(s.droppedAttributesCount);
  for (const e of s.events) body += 1 + event(e);
  body += 1 + varintSize(s.droppedEventsCount);
  for (const l of s.links) body += 1 + link(l);
  body += 1 + varintSize(s.droppedLinksCount);
  const statusIndex = count++;
  const message = s.status.message;
  body += 1 + close(statusIndex, (message ? 1 + str(message) : 0) + 1 + varintSize(s.status.code));
  body += 2 + 4; // flags: always set (bit 8, "has is_remote")
  return close(index, body);
}

type Scope = ReadableSpan['instrumentationScope'] & { attributes?: Attributes; droppedAttributesCount?: number };

export function scope(sc: Scope): number {
  const index = count++;
  let body = 1 + str(sc.name);
  if (sc.version) body += 1 + str(sc.version);
  if (sc.attributes) body += attributes(sc.attributes);
  if (sc.droppedAttributesCount) body += 1 + varintSize(sc.droppedAttributesCount);
  return close(index, body);
}
