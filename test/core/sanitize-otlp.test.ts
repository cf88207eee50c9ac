import type { Attributes } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { attributeValue, boundedString, sanitizeAttributes, spanName } from '../../src/core/tracing/sanitize.js';
import { decodeSpans } from '../helpers/otlp-decode.js';
import { replayFastCheckSeed } from './fc-seed.js';
import { blueprint, materialize, revokedProxy, throwingProxy } from './hostile-values.js';

replayFastCheckSeed();

/**
 * A real SDK pipeline, on its own (nothing registered globally): spans end in an in-memory
 * exporter, and the test hands the finished batch to the OTLP serializer the exporters use.
 */
function pipeline() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  providers.push(provider);
  return {
    tracer: provider.getTracer('sanitize-test'),
    batch: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
  };
}

const providers: BasicTracerProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.shutdown()));
});

/** The names that broke export, as `observe({ name: tool.name })` received them. */
const badNames: Array<[string, () => unknown]> = [
  ['undefined', () => undefined],
  ['null', () => null],
  ['a Buffer', () => Buffer.from('search')],
  ['a revoked Proxy', revokedProxy],
  ['a Proxy whose traps throw', throwingProxy],
];

describe('OTLP serializer › the failure sanitizing prevents', () => {
  it.each(badNames)('loses the whole batch when one span name is %s', (_label, make) => {
    const { tracer, batch } = pipeline();
    tracer.startSpan('before').end();
    tracer.startSpan(make() as string).end();
    tracer.startSpan('after').end();
    expect(batch()).toHaveLength(3);
    expect(() => ProtobufTraceSerializer.serializeRequest(batch())).toThrow();
  });

  it('throws into the caller when an attribute value is a revoked Proxy', () => {
    const { tracer } = pipeline();
    const attributes = { tool: revokedProxy() } as unknown as Attributes;
    expect(() => tracer.startSpan('tool', { attributes })).toThrow();
    expect(() => tracer.startSpan('tool').setAttribute('tool', revokedProxy() as never)).toThrow();
  });
});

describe('OTLP serializer › with sanitized names and attributes', () => {
  it.each(badNames)('exports every span of the batch when one span name is %s', (_label, make) => {
    const { tracer, batch } = pipeline();
    tracer.startSpan('before').end();
    tracer.startSpan(spanName(make(), 'tool')).end();
    tracer.startSpan('after').end();
    const body = ProtobufTraceSerializer.serializeRequest(batch());
    expect(decodeSpans(body!).map((s) => s.name)).toEqual(['before', 'tool', 'after']);
  });

  it('writes hostile attribute values as safe ones that reach the wire', () => {
    const { tracer, batch } = pipeline();
    const raw = {
      'user.input': { query: 'weather', raw: Buffer.alloc(20 * 1024 * 1024) },
      'tool.args': revokedProxy(),
      'tool.trap': throwingProxy(),
      'tool.stops': ['END', '\n'],
      'tool.big': 2n ** 64n,
      'tool.none': undefined,
    };
    const span = tracer.startSpan(spanName(undefined, 'tool'), { attributes: sanitizeAttributes(raw) });
    span.setAttribute('basalt.user.id', boundedString(Object.assign(Object.create(null), { id: 1 }), 256) ?? 'unknown');
    span.setAttribute('basalt.experiment.name', boundedString(42, 256) ?? 'unknown');
    span.setAttribute('tool.result', attributeValue(new Map([['rows', 3]])) ?? '');
    span.end();

    const [received] = decodeSpans(ProtobufTraceSerializer.serializeRequest(batch())!);
    expect(received?.name).toBe('tool');
    expect(received?.attributes).toEqual({
      'user.input': '{"query":"weather","raw":{"type":"binary","kind":"Buffer","bytes":20971520}}',
      'tool.args': '"[unreadable object]"',
      'tool.trap': '"[unreadable object]"',
      'tool.stops': ['END', '\n'],
      'tool.big': '18446744073709551616',
      'basalt.user.id': 'unknown',
      'basalt.experiment.name': '42',
      'tool.result': '{"rows":3}',
    });
    expect(() => JsonTraceSerializer.serializeRequest(batch())).not.toThrow();
  });

  it('serializes any batch built from sanitized values, whatever the raw values were', () => {
    const { tracer, batch, reset } = pipeline();
    fc.assert(
      fc.property(fc.array(blueprint, { minLength: 1, maxLength: 4 }), (plans) => {
        reset();
        for (const plan of plans) {
          const value = materialize(plan);
          const span = tracer.startSpan(spanName(value, 'span'), {
            attributes: sanitizeAttributes(value),
          });
          span.setAttributes(sanitizeAttributes({ value, list: [value, value] }));
          const one = attributeValue(value);
          if (one !== undefined) span.setAttribute('one', one);
          const id = boundedString(value, 64);
          if (id !== undefined) span.setAttribute('id', id);
          span.end();
        }
        const body = ProtobufTraceSerializer.serializeRequest(batch());
        expect(decodeSpans(body!)).toHaveLength(plans.length);
        expect(() => JsonTraceSerializer.serializeRequest(batch())).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});
