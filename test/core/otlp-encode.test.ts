import {
  type Attributes,
  type AttributeValue,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSpans, encodeTraceRequest } from '../../src/core/tracing/otlp-encode.js';
import { replayFastCheckSeed } from './fc-seed.js';

replayFastCheckSeed();

// Our encoder against OpenTelemetry's serializer, byte for byte, on spans made by a real
// OpenTelemetry SDK (docs/decisions.md "Our own OTLP encoder").

/** One UTF-16 unit or code point: ASCII, 2-, 3- and 4-byte UTF-8, and lone surrogates. */
const unit = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\u00e9', '\u4e2d', '\u{1f600}', '\0'),
);
const text = fc.oneof(
  fc.string({ unit, maxLength: 12 }),
  fc.constant(''),
  fc.string({ minLength: 60, maxLength: 300 }),
  fc.string({ unit, minLength: 40, maxLength: 200 }),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.maxSafeInteger(),
  fc.constantFrom(2 ** 53, 2 ** 62, 2 ** 63, -(2 ** 63), 2 ** 64, -(2 ** 70), 0xffffffff, 2 ** 32, -1, -0, 0.5),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  text,
  number,
  fc.boolean(),
  fc.array(fc.option(text), { maxLength: 4 }) as fc.Arbitrary<AttributeValue>,
  fc.array(fc.option(number), { maxLength: 4 }) as fc.Arbitrary<AttributeValue>,
  fc.array(fc.option(fc.boolean()), { maxLength: 4 }) as fc.Arbitrary<AttributeValue>,
);
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(text, value, { maxKeys: 5 });
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const time = fc.tuple(fc.integer({ min: 0, max: 4_102_444_800 }), fc.integer({ min: 0, max: 999_999_999 }));

const spanShape = fc.record({
  name: text,
  kind: fc.constantFrom(SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER),
  attributes,
  parent: fc.option(fc.record({ traceId: hex(16), spanId: hex(8), remote: fc.boolean(), sampled: fc.boolean() })),
  traceState: fc.option(fc.constantFrom('a=1', 'vendor=x,other=y')),
  links: fc.array(
    fc.record({
      traceId: hex(16),
      spanId: hex(8),
      attributes: fc.option(attributes),
      flags: fc.integer({ min: 0, max: 255 }),
    }),
    { maxLength: 2 },
  ),
  events: fc.array(fc.record({ name: text, attributes: fc.option(attributes), at: time }), { maxLength: 3 }),
  status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(text) }),
  start: time,
  duration: fc.integer({ min: 0, max: 10_000 }),
});
const batch = fc.array(
  fc.record({
    resource: attributes,
    scopes: fc.array(
      fc.record({
        name: text,
        version: fc.option(text),
        schemaUrl: fc.option(text),
        spans: fc.array(spanShape, { minLength: 1, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  { minLength: 1, maxLength: 3 },
);

type Batch = typeof batch extends fc.Arbitrary<infer T> ? T : never;

/** Ends the described spans through real OpenTelemetry providers (one per resource). */
function makeSpans(shape: Batch): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  for (const r of shape) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes(r.resource),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    for (const s of r.scopes) {
      const tracer = provider.getTracer(s.name, s.version ?? undefined, { schemaUrl: s.schemaUrl ?? undefined });
      for (const d of s.spans) {
        const parent = d.parent
          ? trace.setSpanContext(ROOT_CONTEXT, {
              traceId: d.parent.traceId,
              spanId: d.parent.spanId,
              traceFlags: d.parent.sampled ? 1 : 0,
              isRemote: d.parent.remote,
              traceState: d.traceState ? new TraceState(d.traceState) : undefined,
            })
          : ROOT_CONTEXT;
        const links: Link[] = d.links.map((l) => ({
          context: { traceId: l.traceId, spanId: l.spanId, traceFlags: l.flags, isRemote: l.flags % 2 === 0 },
          attributes: l.attributes ?? undefined,
        }));
        const span = tracer.startSpan(
          d.name,
          { kind: d.kind, attributes: d.attributes, links, startTime: d.start },
          parent,
        );
        for (const e of d.events) span.addEvent(e.name, e.attributes ?? undefined, e.at);
        span.setStatus({ code: d.status.code, message: d.status.message ?? undefined });
        span.end([d.start[0] + d.duration, d.start[1]]);
      }
    }
    out.push(...exporter.getFinishedSpans());
  }
  return out;
}

function same(spans: ReadableSpan[]): void {
  const ours = encodeTraceRequest(spans);
  const theirs = ProtobufTraceSerializer.serializeRequest(spans);
  if (!theirs) throw new Error('OpenTelemetry serialized nothing');
  expect(Buffer.compare(ours, theirs)).toBe(0);
}

describe('our OTLP encoder', () => {
  it('writes the bytes OpenTelemetry writes, for any batch of real spans', () => {
    fc.assert(
      fc.property(batch, fc.boolean(), (shape, reversed) => {
        const spans = makeSpans(shape);
        if (reversed) spans.reverse(); // groups in first-seen order, spans interleaved
        same(spans);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 300) },
    );
  });

  it('matches on an empty batch and on one large attribute (multi-byte length prefixes)', () => {
    same([]);
    same(makeSpans([{ resource: { big: 'x'.repeat(70_000) }, scopes: [] }]));
    const long = { text: '\u4e2d'.repeat(50_000), list: Array.from({ length: 300 }, (_, i) => i * 1e9) };
    const span = spanShapeOf(long);
    same(makeSpans([{ resource: {}, scopes: [{ name: 's', version: null, schemaUrl: null, spans: [span] }] }]));
  });

  it('matches on key-value lists nested in attribute values, in arrays too (keys read back in order)', () => {
    fc.assert(
      fc.property(batch, (shape) => {
        const spans = makeSpans(shape);
        // No SDK makes object values, but both encoders write them as key-value lists: the write
        // pass reads each object's keys from the size pass, nested ones between their parent's.
        for (const [i, span] of spans.entries()) {
          const attrs = span.attributes as Record<string, unknown>;
          attrs[`nested.${i}`] = { a: 'x', deeper: { b: i, c: [1, { d: 'e' }] }, after: true };
          attrs[`later.${i}`] = [{ f: 'g' }, 'h'];
        }
        same(spans);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 100) },
    );
  });
});

describe('encodeSpans', () => {
  it("falls back to OpenTelemetry's serializer for a batch our encoder refuses, and says so once at debug", () => {
    const debug: string[] = [];
    const logger = { debug: (m: string) => debug.push(m) } as unknown as DiagLogger;
    for (const level of ['error', 'warn', 'info', 'verbose'] as const) logger[level] = () => {};
    diag.setLogger(logger, DiagLogLevel.DEBUG);
    try {
      const spans = makeSpans([
        {
          resource: { a: 1 },
          scopes: [{ name: 's', version: null, schemaUrl: null, spans: [spanShapeOf({ k: 'v' })] }],
        },
      ]);
      // A count no SDK makes: our size pass and write pass disagree on it, OpenTelemetry writes 0.
      Object.defineProperty(spans[0], 'droppedAttributesCount', { value: Number.NaN });
      expect(() => encodeTraceRequest(spans)).toThrow(/measured/);
      const theirs = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
      for (let i = 0; i < 3; i++) expect(Buffer.compare(encodeSpans(spans) as Uint8Array, theirs)).toBe(0);
      expect(debug.filter((m) => m.includes('OTLP encoder'))).toHaveLength(1);
    } finally {
      diag.disable();
    }
  });
});

function spanShapeOf(attrs: Attributes): Batch[number]['scopes'][number]['spans'][number] {
  return {
    name: 'big',
    kind: SpanKind.CLIENT,
    attributes: attrs,
    parent: null,
    traceState: null,
    links: [],
    events: [],
    status: { code: 2, message: 'boom' },
    start: [1_700_000_000, 5],
    duration: 1,
  };
}
