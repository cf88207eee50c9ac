import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { SDK_VERSION } from '../../src/core/constants.js';
import { ATTR } from '../../src/core/tracing/attributes.js';
import { Basalt, observe } from '../../src/index.js';
import { startExperimentsApi, type TestHttpServer } from '../helpers/http-server.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

// The real package against a real OTLP collector, over both transports of the endpoint rule (§8):
// what a Basalt trace looks like on the wire (§5).

const API_KEY = 'test-key-123456';
const identity = { user: { id: '456', name: 'John Doe' }, organization: { id: '123', name: 'ACME' } };
const tickets = ['My invoice is wrong', 'The app crashes on login', 'How do I export my data?'];

let receiver: OtlpReceiver | undefined;
let api: TestHttpServer | undefined;

afterEach(async () => {
  await resetTracing();
  await Promise.all([receiver?.close(), api?.close()]);
  receiver = undefined;
  api = undefined;
});

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((s) => s.name === name);
}

/** The §5 attributes every span of the seed workflow's traces carries from its root. */
const traceAttributes = {
  [ATTR.FEATURE_SLUG]: 'support-ticket',
  [ATTR.EXPERIMENT_ID]: 'exp-42',
  [ATTR.EXPERIMENT_NAME]: 'Ticket Analysis',
  [ATTR.EXPERIMENT_FEATURE_SLUG]: 'support-ticket',
  [ATTR.USER_ID]: '456',
  [ATTR.USER_NAME]: 'John Doe',
  [ATTR.ORGANIZATION_ID]: '123',
  [ATTR.ORGANIZATION_NAME]: 'ACME',
  [ATTR.SHOULD_EVALUATE]: true,
  // The client's rate (default 0) when the trace sets none (#16); experiment traces are evaluated regardless.
  [ATTR.EVALUATION_SAMPLE_RATE]: 0,
  [ATTR.IN_TRACE]: true,
};

describe.each(['http', 'grpc'] as const)('export over OTLP/%s', (protocol) => {
  it('delivers the seed workflow: one trace per iteration, every §5 key, the resource and the API key', async () => {
    receiver = await startOtlpReceiver({ protocol });
    api = await startExperimentsApi();
    const basalt = new Basalt({
      apiKey: API_KEY,
      apiUrl: api.url,
      logLevel: 'silent',
      telemetry: { endpoint: receiver.endpoint, serviceName: 'ticket-service' },
    });

    const experiment = await basalt.experiments.create({ featureSlug: 'support-ticket', name: 'Ticket Analysis' });
    const results: string[] = [];
    for (const [index, ticket] of tickets.entries()) {
      const result = await basalt.startObserve(
        {
          name: 'analyse_ticket',
          featureSlug: 'support-ticket',
          experiment,
          identity,
          metadata: { iteration: index },
          evaluators: ['helpfulness', 'tone'],
          input: ticket,
        },
        async (span) => {
          const category = await basalt.observe({ name: 'classify', kind: 'generation', input: ticket }, async () => {
            const answer = `category-${index}`;
            observe.setOutput({ category: answer });
            return answer;
          });
          span.setOutput(category);
          return category;
        },
      );
      results.push(result);
    }
    await basalt.shutdown();

    expect(results).toEqual(['category-0', 'category-1', 'category-2']);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const spans = await receiver.waitForSpans(6, 5_000);
    expect(spans).toHaveLength(6);
    const roots = byName(spans, 'analyse_ticket');
    const children = byName(spans, 'classify');
    expect(roots).toHaveLength(3);
    expect(children).toHaveLength(3);
    expect(new Set(roots.map((r) => r.traceId)).size).toBe(3);

    for (const [index, ticket] of tickets.entries()) {
      const root = roots.find((r) => r.attributes[ATTR.METADATA] === JSON.stringify({ iteration: index }));
      expect(root, `root of iteration ${index}`).toBeDefined();
      if (!root) continue;
      expect(root.parentSpanId).toBeUndefined();
      expect(root.attributes).toEqual({
        ...traceAttributes,
        [ATTR.ROOT]: true,
        [ATTR.SPAN_KIND]: 'basalt_trace',
        [ATTR.EVALUATORS]: ['helpfulness', 'tone'],
        [ATTR.EVALUATION_CONFIG]: '{"sample_rate": 0.0}',
        [ATTR.METADATA]: JSON.stringify({ iteration: index }),
        'basalt.meta.iteration': index, // the JS SDK's flattened form, next to the JSON (#16.4)
        [ATTR.INPUT]: ticket,
        [ATTR.OUTPUT]: `category-${index}`,
      });

      const child = children.find((c) => c.traceId === root.traceId);
      expect(child, `child of iteration ${index}`).toBeDefined();
      expect(child?.parentSpanId).toBe(root.spanId);
      expect(child?.kind).toBe(2); // SpanKind.CLIENT: a generation is a model call
      expect(child?.attributes).toEqual({
        ...traceAttributes,
        [ATTR.TRACE]: true,
        [ATTR.SPAN_KIND]: 'generation',
        [ATTR.INPUT]: ticket,
        [ATTR.OUTPUT]: JSON.stringify({ category: `category-${index}` }),
      });
    }

    for (const span of spans) {
      expect(span.resource).toMatchObject({
        [ATTR.SERVICE_NAME]: 'ticket-service',
        [ATTR.SDK_TYPE]: 'nodejs',
        [ATTR.SDK_VERSION]: SDK_VERSION,
      });
      expect(span.status.code).toBe(0);
    }
    expect(SDK_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      // The OTLP/HTTP URL is used as given; gRPC calls the collector's TraceService/Export.
      expect(request.path).toBe(
        protocol === 'http' ? '/v1/traces' : '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      );
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    }
  });

  it('delivers a thrown error as status ERROR with error.type and an exception event, and rethrows it unchanged', async () => {
    receiver = await startOtlpReceiver({ protocol });
    const basalt = new Basalt({ apiKey: API_KEY, logLevel: 'silent', telemetry: { endpoint: receiver.endpoint } });
    const failure = new TypeError('model exploded');
    const usage = { [ATTR.GEN_AI_USAGE_INPUT_TOKENS]: 42, [ATTR.GEN_AI_REQUEST_TEMPERATURE]: 0.5 };

    const outcome = basalt.startObserve({ name: 'answer', featureSlug: 'support-ticket' }, () =>
      basalt.observe({ name: 'call_model', kind: 'generation', attributes: usage }, async () => {
        throw failure;
      }),
    );
    await expect(outcome).rejects.toBe(failure);
    await basalt.shutdown();

    const spans = await receiver.waitForSpans(2, 5_000);
    for (const name of ['answer', 'call_model']) {
      const [span] = byName(spans, name);
      expect(span?.status).toEqual({ code: 2, message: 'model exploded' });
      expect(span?.attributes[ATTR.ERROR_TYPE]).toBe('TypeError');
      expect(span?.events.map((e) => e.name)).toEqual(['exception']);
      expect(span?.events[0]?.attributes).toMatchObject({
        'exception.type': 'TypeError',
        'exception.message': 'model exploded',
      });
    }
    expect(byName(spans, 'call_model')[0]?.attributes).toMatchObject(usage);
  });

  it("stamps a third-party span inside the root with the root's trace attributes, and leaves one outside unexported", async () => {
    receiver = await startOtlpReceiver({ protocol });
    const basalt = new Basalt({ apiKey: API_KEY, logLevel: 'silent', telemetry: { endpoint: receiver.endpoint } });

    await basalt.startObserve({ name: 'handle_request', featureSlug: 'support-ticket', identity }, async () => {
      await trace.getTracer('other').startActiveSpan('db.query', async (span) => {
        span.setAttribute('db.system', 'postgresql');
        span.end();
      });
    });
    trace.getTracer('other').startActiveSpan('health-check', (span) => span.end());
    await basalt.shutdown();

    const spans = await receiver.waitForSpans(2, 5_000);
    expect(spans.map((s) => s.name).sort()).toEqual(['db.query', 'handle_request']);
    const [root] = byName(spans, 'handle_request');
    const [query] = byName(spans, 'db.query');
    expect(query?.scope.name).toBe('other');
    expect(query?.traceId).toBe(root?.traceId);
    expect(query?.parentSpanId).toBe(root?.spanId);
    expect(query?.attributes).toEqual({
      'db.system': 'postgresql',
      [ATTR.FEATURE_SLUG]: 'support-ticket',
      [ATTR.USER_ID]: '456',
      [ATTR.USER_NAME]: 'John Doe',
      [ATTR.ORGANIZATION_ID]: '123',
      [ATTR.ORGANIZATION_NAME]: 'ACME',
      [ATTR.SHOULD_EVALUATE]: false,
      [ATTR.EVALUATION_SAMPLE_RATE]: 0,
      [ATTR.IN_TRACE]: true,
    });
  });
});
