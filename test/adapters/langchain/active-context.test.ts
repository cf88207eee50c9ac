import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runChildApp } from '../../helpers/child-app.js';
import { startHttpServer, type TestHttpServer } from '../../helpers/http-server.js';
import { type OpenAIServer, startOpenAIServer } from '../../helpers/openai-server.js';

// The real @opentelemetry/instrumentation-http on an app's NodeSDK with a BasaltContextManager: HTTP
// calls made in the body of a LangChain run nest under that run's span (issue #12 part 5). The app
// runs in a child process (fixtures/active-context-app.ts), since the instrumentation patches `http`
// for its whole process.

const script = fileURLToPath(new URL('./fixtures/active-context-app.ts', import.meta.url));

interface RecordedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind?: string;
  input?: string;
  path?: string;
}

let app: TestHttpServer | undefined;
let openai: OpenAIServer | undefined;

afterEach(async () => {
  await Promise.all([app?.close(), openai?.close()]);
});

function runApp(
  major: '1' | '03',
  appUrl: string,
  openaiUrl: string,
): Promise<{ openRuns: number; spans: RecordedSpan[] }> {
  return runChildApp(script, [major, appUrl, openaiUrl], {
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' },
    timeoutMs: 40_000,
    stderrChars: 3_000,
  });
}

/** The HTTP client spans of the app's calls (GET /<path>), by path. */
function httpSpans(spans: RecordedSpan[], prefix: string): RecordedSpan[] {
  return spans.filter((s) => s.name === 'GET' && s.path?.startsWith(`/${prefix}`));
}

function parentOf(spans: RecordedSpan[], span: RecordedSpan): RecordedSpan | undefined {
  return spans.find((s) => s.spanId === span.parentSpanId);
}

describe.each(['1', '03'] as const)('LangChain runs as the active context (@langchain/core %s, NodeSDK)', (major) => {
  it('nests HTTP calls made in tool, lambda and graph-node bodies under their run, across 20 concurrent invokes', async () => {
    app = await startHttpServer((req, res) => res.end(`notes for ${req.url}`));
    openai = await startOpenAIServer({ replies: [{ type: 'text', text: 'Answer.' }] });
    const { openRuns, spans } = await runApp(major, app.url, openai.baseURL);
    expect(openRuns).toBe(0);

    // A tool made with tool(): the call is a child of the tool span, in its trace.
    for (const call of httpSpans(spans, 'tool/')) {
      const input = call.path?.slice('/tool/'.length);
      const parent = parentOf(spans, call);
      expect(parent?.kind).toBe('tool');
      expect(parent?.input).toContain(input);
      expect(parent?.traceId).toBe(call.traceId);
    }
    expect(httpSpans(spans, 'tool/')).toHaveLength(21);
    // A RunnableLambda (the trace's root here): the call is its child.
    for (const call of httpSpans(spans, 'lambda/')) {
      const parent = parentOf(spans, call);
      expect(parent?.name).toBe('fetcher');
      expect(parent?.input).toBe(call.path?.slice('/lambda/'.length));
      expect(parent?.traceId).toBe(call.traceId);
    }
    expect(httpSpans(spans, 'lambda/')).toHaveLength(21);
    // A span the body makes active itself keeps its place: the call is its child, it the run's.
    const [dbCall] = httpSpans(spans, 'db/');
    const db = dbCall && parentOf(spans, dbCall);
    expect(db?.name).toBe('db.query');
    expect(db && parentOf(spans, db)?.name).toBe('with-db');
    // A retriever runs its body without LangChain's run scope: the call nests under the nearest run
    // that has one (the lambda), and a top-level retriever's call stays in the caller's context.
    const [topRetrieverCall, innerRetrieverCall] = httpSpans(spans, 'retriever/');
    expect(topRetrieverCall && parentOf(spans, topRetrieverCall)).toBeUndefined();
    expect(innerRetrieverCall && parentOf(spans, innerRetrieverCall)?.name).toBe('search');

    if (major === '1') {
      // LangGraph: a node's own call is its child; the model called in a node makes its request in
      // the node's scope, so the request nests under the node (a sibling of the generation span).
      const graphCalls = httpSpans(spans, 'graph/');
      expect(graphCalls).toHaveLength(10);
      for (const call of graphCalls) {
        const node = parentOf(spans, call);
        expect(node?.name).toBe('research');
        const root = node && parentOf(spans, node);
        expect(root?.input).toContain(call.path?.slice('/graph/'.length));
      }
      const modelCalls = spans.filter((s) => s.name === 'POST');
      expect(modelCalls).toHaveLength(11);
      const nested = modelCalls.filter((s) => parentOf(spans, s)?.name === 'respond');
      expect(nested).toHaveLength(10);
      // A top-level model run: LangChain gives its body no scope, so the request is not nested.
      expect(modelCalls.filter((s) => parentOf(spans, s) === undefined)).toHaveLength(1);
    }
  }, 60_000);
});
