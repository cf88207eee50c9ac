import type { Attributes, HrTime, Link, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import * as size from './otlp-encode-size.js';

/**
 * The write pass of our OTLP encoder (`otlp-encode.ts`): writes the request into one buffer of
 * the measured size, reading each length prefix and string length from `size.sizes` in the order
 * the size pass recorded them.
 */
export function begin(total: number): void {
  buf = new Uint8Array(total);
  view = new DataView(buf.buffer);
  pos = 0;
  next = 0;
  nextKey = 0;
  nextRun = 0;
}

/** The request written; throws if its size is not the measured one. */
export function finish(total: number): Uint8Array {
  const out = buf;
  const written = pos;
  buf = EMPTY; // the module keeps no request alive
  if (written !== total) throw new Error(`OTLP encoder wrote ${written} bytes where it measured ${total}`);
  return out;
}

/** One byte: a tag of a field below 16 or a fixed small value. */
export function byte(b: number): void {
  buf[pos++] = b;
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
let buf = EMPTY;
let view = new DataView(EMPTY.buffer);
let pos = 0;
/** The next entry of `size.sizes` to read: the write pass meets them in the order they were recorded. */
let next = 0;
/** The next entries of `size.keys` and `size.keyRuns`, read in the same order. */
let nextKey = 0;
let nextRun = 0;

export function varint(v: number): void {
  if (v >= 0 && v <= 0xffffffff) {
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return;
  }
  // 64 bits as two 32-bit halves; a negative value in two's complement (10 bytes).
  const negative = v < 0;
  const magnitude = negative ? -v : v;
  let lo = magnitude >>> 0;
  let hi = (magnitude / 0x100000000) >>> 0;
  if (negative) {
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  while (hi > 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
}

/** Length prefix of the next recorded message. */
export function prefix(): void {
  varint(size.sizes[next++] as number);
}

export function string(s: string): void {
  const bytes = size.sizes[next++] as number;
  varint(bytes);
  if (bytes === s.length && bytes < 64) {
    for (let i = 0; i < bytes; i++) buf[pos + i] = s.charCodeAt(i);
  } else if (encoder.encodeInto(s, buf.subarray(pos, pos + bytes)).written !== bytes) {
    throw new Error('OTLP encoder: a string did not encode to its measured length');
  }
  pos += bytes;
}

function id(hex: string): void {
  const bytes = hex.length >>> 1;
  varint(bytes);
  for (let i = 0; i < bytes; i++) {
    buf[pos++] = (size.hexDigit(hex.charCodeAt(2 * i)) << 4) | size.hexDigit(hex.charCodeAt(2 * i + 1));
  }
}

function fixed32(v: number): void {
  view.setUint32(pos, v >>> 0, true);
  pos += 4;
}

/** `[seconds, nanoseconds]` as unsigned 64-bit nanoseconds, exactly, with no BigInt. */
function time(t: HrTime): void {
  const seconds = t[0];
  const low16 = (seconds & 0xffff) * 1e9 + t[1]; // < 2^47
  const high = ((seconds / 0x10000) >>> 0) * 1e9; // nanoseconds of the seconds above bit 16, / 2^16
  const low = low16 + (high % 0x10000) * 0x10000; // < 2^53
  view.setUint32(pos, low >>> 0, true);
  view.setUint32(pos + 4, (Math.floor(high / 0x10000) + Math.floor(low / 0x100000000)) >>> 0, true);
  pos += 8;
}

function anyValue(value: unknown): void {
  prefix();
  const type = typeof value;
  if (type === 'string') {
    buf[pos++] = 0x0a;
    string(value as string);
  } else if (type === 'boolean') {
    buf[pos++] = 0x10;
    buf[pos++] = value ? 1 : 0;
  } else if (type === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= size.MIN_INT64 && n < size.MAX_INT64) {
      buf[pos++] = 0x18;
      varint(n);
    } else {
      buf[pos++] = 0x21;
      view.setFloat64(pos, n, true);
      pos += 8;
    }
  } else if (value instanceof Uint8Array) {
    buf[pos++] = 0x3a;
    varint(value.length);
    buf.set(value, pos);
    pos += value.length;
  } else if (Array.isArray(value)) {
    buf[pos++] = 0x2a;
    prefix();
    for (const item of value) {
      buf[pos++] = 0x0a;
      anyValue(item);
    }
  } else if (type === 'object' && value !== null) {
    buf[pos++] = 0x32;
    prefix();
    attributes(value as Attributes, 0x0a);
  }
}

export function attributes(attrs: Attributes, tag: number): void {
  const own = size.keyRuns[nextRun++] as number;
  for (let i = 0; i < own; i++) {
    const key = size.keys[nextKey++] as string;
    buf[pos++] = tag;
    prefix();
    buf[pos++] = 0x0a;
    string(key);
    buf[pos++] = 0x12;
    anyValue(attrs[key]);
  }
}

function ids(context: SpanContext): void {
  buf[pos++] = 0x0a;
  id(context.traceId);
  buf[pos++] = 0x12;
  id(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    buf[pos++] = 0x1a;
    string(traceState);
  }
}

function event(e: TimedEvent): void {
  prefix();
  buf[pos++] = 0x09;
  time(e.time);
  buf[pos++] = 0x12;
  string(e.name);
  if (e.attributes) attributes(e.attributes, 0x1a);
  buf[pos++] = 0x20;
  varint(e.droppedAttributesCount || 0);
}

function link(l: Link): void {
  prefix();
  ids(l.context);
  if (l.attributes) attributes(l.attributes, 0x22);
  buf[pos++] = 0x28;
  varint(l.droppedAttributesCount || 0);
  buf[pos++] = 0x35;
  fixed32(size.flags(l.context.traceFlags, l.context.isRemote));
}

export function span(s: ReadableSpan): void {
  prefix();
  const context = s.spanContext();
  ids(context);
  const parent = s.parentSpanContext?.spanId;
  if (parent) {
    buf[pos++] = 0x22;
    id(parent);
  }
  buf[pos++] = 0x2a;
  string(s.name);
  const kind = s.kind == null ? 0 : s.kind + 1;
  if (kind !== 0) {
    buf[pos++] = 0x30;
    varint(kind);
  }
  buf[pos++] = 0x39;
  time(s.startTime);
  buf[pos++] = 0x41;
  time(s.endTime);
  if (s.attributes) attributes(s.attributes, 0x4a);
  buf[pos++] = 0x50;
  varint(s.droppedAttributesCount);
  for (const e of s.events) {
    buf[pos++] = 0x5a;
    event(e);
  }
  buf[pos++] = 0x60;
  varint(s.droppedEventsCount);
  for (const l of s.links) {
    buf[pos++] = 0x6a;
    link(l);
  }
  buf[pos++] = 0x70;
  varint(s.droppedLinksCount);
  buf[pos++] = 0x7a;
  prefix();
  if (s.status.message) {
    buf[pos++] = 0x12;
    string(s.status.message);
  }
  buf[pos++] = 0x18;
  varint(s.status.code);
  buf[pos++] = 0x85; // field 16, fixed32: two tag bytes
  buf[pos++] = 0x01;
  fixed32(size.flags(context.traceFlags, s.parentSpanContext?.isRemote));
}
