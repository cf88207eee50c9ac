import { type Attributes, diag } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as size from './otlp-encode-size.js';
import * as w from './otlp-encode-write.js';

let fellBack = false;

/**
 * The body of an OTLP export: our encoder's bytes, or, if it throws for this batch, OpenTelemetry's
 * serializer's (the same bytes when both work); the first fallback is logged at debug through
 * OpenTelemetry's `diag`. An export is never lost to our encoder.
 */
export function encodeSpans(spans: readonly ReadableSpan[]): Uint8Array | undefined {
  try {
    return encodeTraceRequest(spans);
  } catch (error) {
    if (!fellBack) {
      fellBack = true;
      diag.debug(`basalt-observe: OpenTelemetry's serializer encodes a batch our OTLP encoder refused (${error})`);
    }
    return ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[]);
  }
}

/**
 * Our OTLP/protobuf encoder for an `ExportTraceServiceRequest` (docs/decisions.md "Our own OTLP
 * encoder"): the same bytes as OpenTelemetry's `ProtobufTraceSerializer` (otlp-transformer 0.223),
 * in two passes. The first (`otlp-encode-size.ts`) records the exact size of every message and
 * string; the second (`otlp-encode-write.ts`) writes into one buffer of the exact total size, each
 * length prefix before its message (OpenTelemetry reserves one byte and shifts a message whose
 * length needs more: every span, scope and resource is moved once per level of nesting) and each
 * string measured once (ASCII copied by hand or by `TextEncoder.encodeInto`, which edge runtimes
 * have too). Throws if the written size is not the measured one; the exporter then falls back to
 * OpenTelemetry's serializer for that batch. test/core/otlp-encode.test.ts holds us to its bytes.
 */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const groups = size.group(spans);
  size.resetSizes();
  let total = 0;
  for (const [resource, byScope] of groups) total += 1 + resourceSpansSize(resource, byScope);
  w.begin(total);
  for (const [resource, byScope] of groups) {
    w.byte(0x0a); // resource_spans: field 1, length-delimited
    resourceSpans(resource, byScope);
  }
  const body = w.finish(total);
  // Kept between requests (a few MB at most), not a huge one's.
  if (size.sizes.length > 262_144) size.sizes.length = 0;
  if (size.keys.length > 65_536) {
    size.keys.length = 0;
    size.keyRuns.length = 0;
  }
  return body;
}

type Resource = ReadableSpan['resource'];
type ScopeSpans = Map<ReadableSpan['instrumentationScope'], ReadableSpan[]>;
type Scope = ReadableSpan['instrumentationScope'] & { attributes?: Attributes; droppedAttributesCount?: number };

function resourceSpansSize(resource: Resource, byScope: ScopeSpans): number {
  const index = size.open();
  const resourceIndex = size.open();
  const attrs = resource.attributes;
  let body = 1 + size.close(resourceIndex, (attrs ? size.attributes(attrs) : 0) + 2);
  for (const [scope, list] of byScope) {
    const scopeSpansIndex = size.open();
    let scopeBody = 1 + size.scope(scope);
    for (const span of list) scopeBody += 1 + size.span(span);
    if (scope.schemaUrl) scopeBody += 1 + size.str(scope.schemaUrl);
    body += 1 + size.close(scopeSpansIndex, scopeBody);
  }
  if (resource.schemaUrl) body += 1 + size.str(resource.schemaUrl);
  return size.close(index, body);
}

function resourceSpans(resource: Resource, byScope: ScopeSpans): void {
  w.prefix();
  w.byte(0x0a);
  w.prefix();
  const attrs = resource.attributes;
  if (attrs) w.attributes(attrs, 0x0a);
  w.byte(0x10); // dropped_attributes_count: always 0, as OpenTelemetry writes it
  w.byte(0);
  for (const [scope, list] of byScope) {
    w.byte(0x12);
    w.prefix();
    scopeMessage(scope);
    for (const s of list) {
      w.byte(0x12);
      w.span(s);
    }
    if (scope.schemaUrl) {
      w.byte(0x1a);
      w.string(scope.schemaUrl);
    }
  }
  if (resource.schemaUrl) {
    w.byte(0x1a);
    w.string(resource.schemaUrl);
  }
}

function scopeMessage(scope: Scope): void {
  w.byte(0x0a);
  w.prefix();
  w.byte(0x0a);
  w.string(scope.name);
  if (scope.version) {
    w.byte(0x12);
    w.string(scope.version);
  }
  if (scope.attributes) w.attributes(scope.attributes, 0x1a);
  if (scope.droppedAttributesCount) {
    w.byte(0x20);
    w.varint(scope.droppedAttributesCount);
  }
}
