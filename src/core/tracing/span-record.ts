import type { ReadableSpan } from './sdk-types.js';

/**
 * One span as a line of the local trace file (JSON): ids, times in ms since the epoch, status,
 * attributes, resource, events. The printed tree is drawn from these, live and by
 * `basalt-observe traces`, so both print the same thing.
 */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OpenTelemetry's `SpanKind` number. */
  kind: number;
  startTime: number;
  endTime: number;
  durationMs: number;
  /** OpenTelemetry's `SpanStatusCode` number (2 is ERROR) and message. */
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: { name: string; time: number; attributes?: Record<string, unknown> }[];
}

/** `SpanStatusCode.ERROR`, without importing `@opentelemetry/api` into the bin. */
export const STATUS_ERROR = 2;

/** The record of a span, as written to the trace file. */
export function toRecord(span: ReadableSpan): SpanRecord {
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: ms(span.startTime),
    endTime: ms(span.endTime),
    durationMs: ms(span.duration),
    status: span.status,
    attributes: span.attributes,
    resource: span.resource.attributes,
    events: span.events.map((e) => ({ name: e.name, time: ms(e.time), attributes: e.attributes })),
  };
}

/**
 * A parsed line of a trace file as a record, or `undefined` when it is not one (a line cut short
 * by a full disk, a line of something else): what the tree reads is checked, the rest is kept.
 */
export function asSpanRecord(value: unknown): SpanRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Partial<Record<keyof SpanRecord, unknown>>;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const valid =
    typeof r.traceId === 'string' &&
    typeof r.spanId === 'string' &&
    (r.parentSpanId === undefined || typeof r.parentSpanId === 'string') &&
    typeof r.name === 'string' &&
    typeof r.startTime === 'number' &&
    typeof r.durationMs === 'number' &&
    isObject(r.status) &&
    typeof (r.status as { code?: unknown }).code === 'number' &&
    isObject(r.attributes);
  return valid ? (value as SpanRecord) : undefined;
}
