import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { runChildApp } from '../helpers/child-app.js';
import { json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';

// The real @opentelemetry/instrumentation-http on an app's NodeSDK, next to a BasaltSpanProcessor
// that exports over OTLP/HTTP (issue #10 item 21). The app runs in a child process
// (fixtures/instrumented-export.ts): the instrumentation patches `http` for its whole process, and
// Node resolves the OpenTelemetry packages there as in an app (vitest prefers their ESM builds).

const script = fileURLToPath(new URL('./fixtures/instrumented-export.ts', import.meta.url));

interface AppRun {
  statuses: number[];
  spans: Array<{ name: string; kind: SpanKind; attributes: Record<string, unknown> }>;
}

let receiver: OtlpReceiver | undefined;
let app: TestHttpServer | undefined;

afterEach(async () => {
  await Promise.all([receiver?.close(), app?.close()]);
});

function runApp(endpoint: string, appUrl: string): Promise<AppRun> {
  // The NodeSDK's default metrics and logs exporters would retry a collector on localhost:4318 at exit.
  return runChildApp<AppRun>(script, [endpoint, appUrl], {
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
    timeoutMs: 20_000,
    stderrChars: 2_000,
  });
}

/** Whether an attribute names `port` (url.full, http.url, server.port, net.peer.port …). */
function mentionsPort(attributes: Record<string, unknown>, port: string): boolean {
  return Object.values(attributes).some((value) => String(value) === port || String(value).includes(`:${port}/`));
}

describe('export next to @opentelemetry/instrumentation-http', () => {
  it("records the app's HTTP calls as client spans and never one for our own export requests", async () => {
    receiver = await startOtlpReceiver({ protocol: 'http' });
    app = await startHttpServer((_req, res) => json(res, 200, { ok: true }));
    const appPort = new URL(app.url).port;
    const receiverPort = new URL(receiver.endpoint).port;

    const run = await runApp(receiver.endpoint, app.url);

    expect(run.statuses).toEqual([200, 200, 200]);
    // The instrumentation is live: the app's calls are client spans, and they reach the collector.
    const appCalls = run.spans.filter((s) => mentionsPort(s.attributes, appPort));
    expect(appCalls.map((s) => s.kind)).toEqual([SpanKind.CLIENT, SpanKind.CLIENT, SpanKind.CLIENT]);
    expect(receiver.spans.filter((s) => mentionsPort(s.attributes, appPort))).toHaveLength(3);
    expect(receiver.spans.filter((s) => s.name === 'handle_request')).toHaveLength(3);
    // Our exporter did reach the collector, several times, and no span was made for any request.
    expect(receiver.requests.length).toBeGreaterThan(1);
    expect(run.spans.filter((s) => mentionsPort(s.attributes, receiverPort))).toEqual([]);
    expect(receiver.spans.filter((s) => mentionsPort(s.attributes, receiverPort))).toEqual([]);
  });
});
