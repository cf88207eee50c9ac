import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** An attribute value as it arrived: OTLP `AnyValue` turned into plain JavaScript. */
export type ReceivedValue = string | number | boolean | Uint8Array | ReceivedValue[] | { [key: string]: ReceivedValue };
export type ReceivedAttributes = Record<string, ReceivedValue>;
/**
 * The OTLP `AnyValue` case an attribute arrived as, which plain JavaScript loses (`int` and `double`
 * are both numbers): `string`, `bool`, `int`, `double`, `bytes`, `map`, or an array as
 * `<item type>[]` (`string[]`; `mixed[]` when its items differ, `empty[]` when it has none).
 */
export type WireType = string;

/** One span as the collector decoded it. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** The OpenTelemetry API `SpanKind` (INTERNAL 0, SERVER 1, CLIENT 2, …), not OTLP's off-by-one enum. */
  kind: number;
  attributes: ReceivedAttributes;
  /** How each attribute was encoded (`int` or `double`, …). */
  attributeTypes: Record<string, WireType>;
  /** `code` is the API `SpanStatusCode` (UNSET 0, OK 1, ERROR 2). */
  status: { code: number; message?: string };
  events: Array<{ name: string; attributes: ReceivedAttributes; attributeTypes: Record<string, WireType> }>;
  /** Attributes of the span's resource (`service.name`, `basalt.sdk.type`, …). */
  resource: ReceivedAttributes;
  /** How each resource attribute was encoded. */
  resourceTypes: Record<string, WireType>;
  /** The instrumentation scope (tracer) that started the span. */
  scope: { name: string; version?: string };
}

const root = protobuf.loadSync(fileURLToPath(new URL('./otlp-trace.proto', import.meta.url)));
const ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

interface PlainAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  bytesValue?: Uint8Array;
  arrayValue?: { values?: PlainAnyValue[] };
  kvlistValue?: { values?: PlainKeyValue[] };
}
interface PlainKeyValue {
  key: string;
  value?: PlainAnyValue;
}
interface PlainSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  attributes?: PlainKeyValue[];
  status?: { code?: number; message?: string };
  events?: Array<{ name?: string; attributes?: PlainKeyValue[] }>;
}
interface PlainRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: PlainKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string; version?: string }; spans?: PlainSpan[] }>;
  }>;
}

/** Decodes an `ExportTraceServiceRequest` into friendly spans. */
export function decodeSpans(body: Uint8Array): ReceivedSpan[] {
  const plain = ExportRequest.toObject(ExportRequest.decode(body), {
    longs: Number,
    enums: Number,
    defaults: false,
    arrays: true,
  }) as PlainRequest;
  const out: ReceivedSpan[] = [];
  for (const rs of plain.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    const resourceTypes = wireTypesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) };
      for (const span of ss.spans ?? []) out.push({ ...toReceivedSpan(span, resource, scope), resourceTypes });
    }
  }
  return out;
}

function toReceivedSpan(
  span: PlainSpan,
  resource: ReceivedAttributes,
  scope: ReceivedSpan['scope'],
): Omit<ReceivedSpan, 'resourceTypes'> {
  const status: ReceivedSpan['status'] = { code: span.status?.code ?? 0 };
  if (span.status?.message) status.message = span.status.message;
  return {
    traceId: hex(span.traceId),
    spanId: hex(span.spanId),
    parentSpanId: span.parentSpanId?.length ? hex(span.parentSpanId) : undefined,
    name: span.name ?? '',
    kind: Math.max((span.kind ?? 1) - 1, 0),
    attributes: attributesOf(span.attributes),
    attributeTypes: wireTypesOf(span.attributes),
    status,
    events: (span.events ?? []).map((e) => ({
      name: e.name ?? '',
      attributes: attributesOf(e.attributes),
      attributeTypes: wireTypesOf(e.attributes),
    })),
    resource,
    scope,
  };
}

function attributesOf(list: PlainKeyValue[] | undefined): ReceivedAttributes {
  const out: ReceivedAttributes = {};
  for (const { key, value } of list ?? []) {
    const plain = plainValue(value);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

function wireTypesOf(list: PlainKeyValue[] | undefined): Record<string, WireType> {
  const out: Record<string, WireType> = {};
  for (const { key, value } of list ?? []) {
    const type = wireType(value);
    if (type !== undefined) out[key] = type;
  }
  return out;
}

function wireType(value: PlainAnyValue | undefined): WireType | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return 'string';
  if (value.boolValue !== undefined) return 'bool';
  if (value.intValue !== undefined) return 'int';
  if (value.doubleValue !== undefined) return 'double';
  if (value.bytesValue !== undefined) return 'bytes';
  if (value.kvlistValue) return 'map';
  if (value.arrayValue) {
    const items = new Set((value.arrayValue.values ?? []).map(wireType));
    if (items.size === 0) return 'empty[]';
    return items.size === 1 ? `${[...items][0]}[]` : 'mixed[]';
  }
  return undefined;
}

function plainValue(value: PlainAnyValue | undefined): ReceivedValue | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) {
    return (value.arrayValue.values ?? []).map(plainValue).filter((v): v is ReceivedValue => v !== undefined);
  }
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('hex') : '';
}
