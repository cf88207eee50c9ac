import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../../src/experiments/run-file.js';
import { runExample, type SpanRecord } from '../helpers/examples.js';
import { json, startHttpServer } from '../helpers/http-server.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';

const roots = (spans: SpanRecord[]) => spans.filter((s) => s.attributes['basalt.root'] === true);

describe('examples in local mode', () => {
  it('experiment.ts: one trace per item, each with the experiment and its identity', async () => {
    const { stdout, spans } = await runExample('experiment.ts');
    const traces = roots(spans);
    expect(traces).toHaveLength(2);
    expect(traces.map((r) => r.attributes['basalt.user.id'])).toEqual(['456', '789']);
    for (const r of traces) {
      expect(r.attributes['basalt.experiment.name']).toBe('Ticket Analysis');
      expect(String(r.attributes['basalt.experiment.id'])).toMatch(/^local-/);
      expect(r.attributes['basalt.span.should_evaluate']).toBe(true);
      const child = spans.find((s) => s.parentSpanId === r.spanId);
      expect(child?.name).toBe('classify');
      expect(child?.attributes['basalt.user.id']).toBe(r.attributes['basalt.user.id']);
    }
    expect(stdout).toContain('● analyse_ticket');
  });

  it('experiment-run.ts: one trace per dataset row with its generation, a summary and a run file', async () => {
    const { stdout, spans } = await runExample('experiment-run.ts');
    const traces = roots(spans);
    expect(traces).toHaveLength(5);
    for (const r of traces) {
      expect(r.name).toBe('local-small, prompt v1');
      expect(String(r.attributes['basalt.experiment.id'])).toMatch(/^local-/);
      expect(r.attributes['basalt.meta.scores.exact']).toBe(1);
      expect(spans.find((s) => s.parentSpanId === r.spanId)?.name).toBe('chat local-small');
    }
    expect(stdout).toMatch(/5 items: 5 succeeded, 0 failed; tokens \d+ in \/ 45 out; exact 1/);
    const file = /run file: (.+\.json)/.exec(stdout)?.[1];
    expect(file).toBeDefined();
    const run = parseRunFile(readFileSync(file!, 'utf8'), file!);
    rmSync(file!);
    expect(run.results.map((r) => r.key)).toEqual(['T-1', 'T-2', 'T-3', 'T-4', 'T-5']);
  });

  it('core-quickstart.ts: a nested request trace and a failed one that still reaches the caller', async () => {
    const { stdout, spans } = await runExample('core-quickstart.ts');
    expect(stdout).toContain('caller still sees: upstream unavailable');
    expect(spans.map((s) => s.name).sort()).toEqual(['answer_question', 'compose', 'failing_request', 'search_docs']);
    expect(stdout).toMatch(/failing_request .*ERROR/);
  });

  it('serverless-flush.ts: every invocation is exported by its own flush', async () => {
    const { stdout, spans } = await runExample('serverless-flush.ts');
    expect(roots(spans)).toHaveLength(2);
    expect(stdout).toContain('stats: {"exported":2,"droppedQueueFull":0,"failedExports":0,"droppedAfterShutdown":0}');
  });

  it('own-provider.ts: Basalt spans go through the app-owned NodeSDK provider', async () => {
    const { spans } = await runExample('own-provider.ts');
    const root = roots(spans)[0];
    expect(root?.name).toBe('checkout');
    const card = spans.find((s) => s.name === 'charge card');
    expect(root?.resource).toMatchObject({ 'basalt.sdk.type': 'nodejs', 'service.name': 'own-provider-example' });
    expect(card?.parentSpanId).toBe(root?.spanId);
    expect(card?.attributes['basalt.user.id']).toBe('u-42');
  });
});

describe('examples against a local Basalt API and OTLP receiver', () => {
  it('experiment.ts: creates the experiment over the API and exports both traces with the key', async () => {
    const receiver = await startOtlpReceiver({ protocol: 'http' });
    const api = await startHttpServer((_req, res, body) =>
      json(res, 200, { id: 'exp_42', ...JSON.parse(body), createdAt: '2026-11-26T00:00:00Z' }),
    );
    try {
      await runExample('experiment.ts', {
        BASALT_API_KEY: 'example-key-123',
        BASALT_API_URL: api.url,
        BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      });
      expect(api.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
        ['/monitor/experiments', 'Bearer example-key-123'],
      ]);
      const spans = await receiver.waitForSpans(4, 5_000);
      const traces = spans.filter((s) => s.attributes['basalt.root'] === true);
      expect(traces.map((r) => r.attributes['basalt.experiment.id'])).toEqual(['exp_42', 'exp_42']);
      expect(traces.map((r) => r.attributes['basalt.user.id'])).toEqual(['456', '789']);
      expect(receiver.requests.every((r) => r.headers.authorization === 'Bearer example-key-123')).toBe(true);
    } finally {
      await receiver.close();
      await api.close();
    }
  });
});

describe('adapter examples in local mode', () => {
  it('ai-sdk-stream.ts: the streaming route records a root and a streamed generation with the request user', async () => {
    const { stdout, spans } = await runExample('ai-sdk-stream.ts');
    expect(stdout).toContain('streamed reply → Local answer');
    const [root] = roots(spans);
    expect(root?.attributes['basalt.user.id']).toBe('user-123');
    const generation = spans.find((s) => s.parentSpanId === root?.spanId);
    expect(generation?.attributes).toMatchObject({ 'basalt.span.kind': 'generation', 'gen_ai.request.stream': true });
  });

  it('langchain-chain.ts: per-invoke identity and experiment reach each invoke only', async () => {
    const { spans } = await runExample('langchain-chain.ts');
    const traces = roots(spans);
    expect(traces.map((r) => r.attributes['basalt.user.id'])).toEqual(['user-1', 'user-2']);
    expect(traces.map((r) => r.attributes['basalt.organization.id'])).toEqual(['org-7', 'org-7']);
    expect(traces[0]?.attributes['basalt.experiment.name']).toBe('Two-sentence answers');
    expect(traces[1]?.attributes['basalt.experiment.id']).toBeUndefined();
  });

  it('langgraph.ts: graph root, node spans, and the model call under its node', async () => {
    const { spans } = await runExample('langgraph.ts');
    const [root] = roots(spans);
    expect(root?.name).toBe('refund_graph');
    const respond = spans.find((s) => s.name === 'respond');
    expect(respond?.parentSpanId).toBe(root?.spanId);
    const chat = spans.find((s) => s.attributes['basalt.span.kind'] === 'generation');
    expect(chat?.parentSpanId).toBe(respond?.spanId);
    expect(chat?.attributes['basalt.user.id']).toBe('user-9');
  });
});

describe('npm run demo (examples/demo.ts) in local mode', () => {
  // One run of the demo for both tests.
  let demo: ReturnType<typeof runExample> | undefined;
  const runDemo = () => {
    demo ??= runExample('demo.ts');
    return demo;
  };

  it('traces a call, a stream, a tool loop and a LangChain chain under the experiment and identity', async () => {
    const { stdout, spans } = await runDemo();
    const all = roots(spans);
    const traces = all.slice(0, 4);
    expect(traces.map((r) => r.name)).toEqual(['ai_sdk_call', 'ai_sdk_call', 'weather_question', 'RunnableSequence']);
    for (const r of traces) {
      expect(r.attributes).toMatchObject({
        'basalt.experiment.name': 'Demo: local model',
        'basalt.user.id': 'user-42',
        'basalt.organization.id': 'org-7',
        'basalt.span.should_evaluate': true,
      });
    }
    const under = (root: SpanRecord) => spans.filter((s) => s.traceId === root.traceId && s !== root);
    const [call, stream, loop, chain] = traces as [SpanRecord, SpanRecord, SpanRecord, SpanRecord];
    expect(under(call).map((s) => s.attributes['basalt.span.kind'])).toEqual(['generation']);
    expect(under(stream)[0]?.attributes['gen_ai.request.stream']).toBe(true);
    expect(under(stream)[0]?.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const loopKinds = under(loop).map((s) => s.attributes['basalt.span.kind']);
    expect(loopKinds.filter((k) => k === 'generation')).toHaveLength(2);
    expect(loopKinds).toContain('tool');
    const chainKinds = under(chain).map((s) => s.attributes['basalt.span.kind']);
    expect(chainKinds.filter((k) => k === 'generation')).toHaveLength(2);
    expect(chainKinds).toContain('tool');
    const firstFour = new Set(traces.map((r) => r.traceId));
    for (const s of spans.filter((s) => firstFour.has(s.traceId)))
      expect(s.attributes['basalt.user.id']).toBe('user-42');
    expect(stdout).toContain('● weather_question');
    expect(stdout).toContain('Trace trees above');
  });

  it("ends with an experiment: two variants, one trace per item in each variant's experiment, compared", async () => {
    const { stdout, spans } = await runDemo();
    const items = roots(spans).slice(4);
    const variants = ['local-small, keywords v1', 'local-large, keywords v2'];
    expect(items.map((r) => r.name)).toEqual([...Array(4).fill(variants[0]), ...Array(4).fill(variants[1])]);
    for (const r of items) {
      expect(r.attributes['basalt.experiment.name']).toBe(r.name);
      const children = spans.filter((s) => s.traceId === r.traceId && s !== r);
      expect(children.map((s) => s.attributes['basalt.span.kind'])).toEqual(['generation']);
    }
    expect(stdout).toMatch(/\n1\. local-small, keywords v1 +4 +4 +0 +0 .* 0\.750\n/);
    expect(stdout).toMatch(/\n2\. local-large, keywords v2 +4 \(±0\) .* 1\.000 \(\+0\.250\)\n/);
    const report = /\nReport: (\S+\.html) /.exec(stdout)?.[1];
    expect(report).toBeDefined();
    expect(readFileSync(join(import.meta.dirname, '../..', report!), 'utf8')).toContain(
      '<h1>Demo: two variants compared</h1>',
    );
  });
});
