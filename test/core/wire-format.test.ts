import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../src/adapters/ai-sdk/index.js';
import { Basalt } from '../../src/index.js';
import { generateResult, promptText } from '../helpers/ai-sdk-parts.js';
import { type RecordedRequest, startExperimentsApi, type TestHttpServer } from '../helpers/http-server.js';
import {
  type OtlpReceiver,
  type ReceivedRequest,
  type ReceivedSpan,
  startOtlpReceiver,
} from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';
import { type Category, compareWithDoc, plainWireType, readWireDoc, type Sent } from '../helpers/wire-doc.js';

// The golden test of #16: the seed scenario through the public API and the real exporters, every
// key, type and value shape compared with docs/wire-format.md as the page itself says them.

const API_KEY = 'test-key-123456';
const identity = { user: { id: '456', name: 'John Doe' }, organization: { id: '123', name: 'ACME' } };
const tickets = ['My invoice is wrong', 'The app crashes on login', 'How do I export my data?'];
const categories = ['billing', 'bug', 'how-to'];

/** Each span of the seed by its role: its name, and the Where categories of the page it belongs to. */
const ROLES = {
  root: { name: 'analyse_ticket', where: ['every span', 'root'] },
  retrieval: { name: 'retrieve_docs', where: ['every span', 'child'] },
  generation: { name: 'chat gpt-4o', where: ['every span', 'child', 'generation'] },
} as const satisfies Record<string, { name: string; where: readonly Category[] }>;

/**
 * Documented keys the seed has no reason to send, per role or request: no error, no cancel, no
 * stream, no child metadata, request parameters other than temperature, usage details the mock does
 * not report. Anything else the page lists must arrive.
 */
const NOT_IN_SEED: Record<string, readonly string[]> = {
  root: ['basalt.span.cancelled', 'error.type'],
  retrieval: ['basalt.metadata', 'basalt.span.cancelled', 'error.type'],
  generation: [
    'basalt.metadata',
    'basalt.span.cancelled',
    'error.type',
    'gen_ai.request.max_tokens',
    'gen_ai.request.top_p',
    'gen_ai.request.top_k',
    'gen_ai.request.stop_sequences',
    'gen_ai.request.seed',
    'gen_ai.request.frequency_penalty',
    'gen_ai.request.presence_penalty',
    'gen_ai.request.stream',
    'gen_ai.response.time_to_first_chunk',
    'gen_ai.usage.cache_read.input_tokens',
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.reasoning.output_tokens',
    'gen_ai.tool.definitions',
  ],
  resource: ['deployment.environment.name'],
};

const KIND_CODES: Record<string, number> = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 };

let receiver: OtlpReceiver | undefined;
let api: TestHttpServer | undefined;

afterEach(async () => {
  await resetTracing();
  await Promise.all([receiver?.close(), api?.close()]);
  receiver = undefined;
  api = undefined;
});

/**
 * The seed: an experiment, then per ticket a root with feature slug, experiment, identity,
 * metadata, evaluators, input and output, a retrieval child, and one AI SDK `generateText`.
 */
async function runSeed(
  protocol: 'http' | 'grpc',
): Promise<{ spans: ReceivedSpan[]; apiRequests: RecordedRequest[]; exports: ReceivedRequest[] }> {
  receiver = await startOtlpReceiver({ protocol });
  api = await startExperimentsApi();
  const basalt = new Basalt({
    apiKey: API_KEY,
    apiUrl: api.url,
    logLevel: 'silent',
    telemetry: { endpoint: receiver.endpoint, serviceName: 'ticket-service' },
  });
  const experiment = await basalt.experiments.create({ featureSlug: 'support-ticket', name: 'Ticket Analysis' });
  const mock = new MockLanguageModelV4({
    provider: 'openai.chat',
    modelId: 'gpt-4o',
    doGenerate: async (options) => {
      const text = categories[tickets.indexOf(promptText(options))] ?? 'unknown';
      return generateResult('v4', { text, modelId: 'gpt-4o-2024-08-06', responseId: 'chatcmpl-1' });
    },
  });
  const model = wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'support-ticket' }) });

  for (const [index, ticket] of tickets.entries()) {
    await basalt.startObserve(
      {
        name: ROLES.root.name,
        featureSlug: 'support-ticket',
        experiment,
        identity,
        metadata: { iteration: index },
        evaluators: ['helpfulness', 'tone'],
        input: ticket,
      },
      async (span) => {
        await basalt.observe({ name: ROLES.retrieval.name, kind: 'retrieval', input: ticket }, async (docs) => {
          docs.setOutput([{ id: `doc-${index}`, score: 0.9 }]);
        });
        const { text } = await generateText({
          model,
          system: 'Classify the ticket.',
          prompt: ticket,
          temperature: 0.2,
        });
        span.setOutput(text);
      },
    );
  }
  await basalt.shutdown();
  const spans = await receiver.waitForSpans(9, 5_000);
  return { spans, apiRequests: api.requests, exports: receiver.requests };
}

function attributesSent(span: ReceivedSpan): Sent[] {
  return Object.entries(span.attributes).map(([key, value]) => ({ key, value, wire: span.attributeTypes[key] ?? '?' }));
}

function plainSent(record: Record<string, unknown>): Sent[] {
  return Object.entries(record).map(([key, value]) => ({ key, value, wire: plainWireType(value) }));
}

describe('wire format (docs/wire-format.md)', () => {
  it('is a well-formed table whose examples fit their own types', () => {
    const doc = readWireDoc();
    expect(doc.problems).toEqual([]);
    expect(doc.rows.length).toBeGreaterThan(50);
    expect([...doc.kinds.keys()].sort()).toEqual(['child', 'embeddings', 'generation', 'root']);
  });

  it('flags a key the table does not list, a missing always key, and a value of another type or shape', () => {
    const doc = readWireDoc();
    const problems = compareWithDoc(
      doc,
      'span',
      ['every span', 'root'],
      [
        { key: 'basalt.span.feature_slug', wire: 'int', value: 1 },
        { key: 'basalt.unheard_of', wire: 'string', value: 'x' },
        { key: 'basalt.span.evaluation.config', wire: 'string', value: '{"sampleRate":1}' },
      ],
    );
    expect(problems).toContain('span: basalt.span.feature_slug: sent as int, the row says string');
    expect(problems).toContain(
      'span: sends basalt.unheard_of, which docs/wire-format.md does not list for every span, root',
    );
    expect(problems).toContain('span: lacks basalt.in_trace, which docs/wire-format.md says is always sent');
    expect(problems.some((p) => p.startsWith('span: basalt.span.evaluation.config: shape'))).toBe(true);
  });

  describe.each(['http', 'grpc'] as const)('the seed scenario over OTLP/%s', (protocol) => {
    it('sends exactly the keys, types, value shapes and span kinds the table lists', async () => {
      const doc = readWireDoc();
      const { spans, apiRequests, exports } = await runSeed(protocol);
      const problems: string[] = [];

      expect(spans).toHaveLength(9);
      for (const [role, { name, where }] of Object.entries(ROLES)) {
        const ofRole = spans.filter((s) => s.name === name);
        expect(ofRole, role).toHaveLength(3);
        const kind = doc.kinds.get(role === 'retrieval' ? 'child' : role) ?? '?';
        for (const span of ofRole) {
          expect(span.kind, `${role} span kind`).toBe(KIND_CODES[kind]);
          problems.push(...compareWithDoc(doc, role, where, attributesSent(span), NOT_IN_SEED[role]));
          for (const event of span.events) {
            const sent = Object.entries(event.attributes).map(([key, value]) => ({
              key,
              value,
              wire: event.attributeTypes[key] ?? '?',
            }));
            problems.push(
              ...compareWithDoc(doc, `${role} event ${event.name}`, [`${event.name} event` as Category], sent),
            );
          }
        }
      }

      // What the table cannot say in a row: values that follow one another.
      for (const span of spans.filter((s) => s.name === ROLES.generation.name)) {
        expect(span.attributes['gen_ai.system']).toBe(span.attributes['gen_ai.provider.name']);
      }
      for (const span of spans) expect(span.attributes['basalt.span.evaluation.sample_rate']).toBe(0);
      for (const root of spans.filter((s) => s.name === ROLES.root.name)) {
        expect(root.attributes['basalt.span.evaluation.config']).toBe('{"sample_rate": 0.0}');
        const metadata = JSON.parse(String(root.attributes['basalt.metadata'])) as { iteration: number };
        expect(root.attributes['basalt.meta.iteration']).toBe(metadata.iteration);
      }

      const [first] = spans;
      for (const span of spans) expect(span.resource).toEqual(first?.resource);
      problems.push(
        ...compareWithDoc(
          doc,
          'resource',
          ['resource'],
          Object.entries(first?.resource ?? {}).map(([key, value]) => ({
            key,
            value,
            wire: first?.resourceTypes[key] ?? '?',
          })),
          NOT_IN_SEED.resource,
        ),
      );

      expect(apiRequests).toHaveLength(1);
      const [request] = apiRequests;
      problems.push(
        ...compareWithDoc(
          doc,
          'experiments request',
          ['experiments request header'],
          plainSent(request?.headers ?? {}),
        ),
        ...compareWithDoc(
          doc,
          'experiments body',
          ['experiments request body'],
          plainSent(JSON.parse(request?.body ?? '{}')),
        ),
      );

      const transport: Category = protocol === 'http' ? 'OTLP/HTTP header' : 'OTLP/gRPC metadata';
      expect(exports.length).toBeGreaterThan(0);
      for (const exported of exports) {
        problems.push(
          ...compareWithDoc(doc, transport, [transport], plainSent(exported.headers), NOT_IN_SEED[transport]),
        );
      }

      expect(problems).toEqual([]);
    });
  });
});
