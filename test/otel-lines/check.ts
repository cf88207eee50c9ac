/**
 * Traced calls in an app of one OpenTelemetry line, run by `.ci/otel-lines` after it installed the
 * packed basalt-observe into that app with a plain `npm install`:
 *
 * 1. starts an OTLP/HTTP and an OTLP/gRPC receiver on 127.0.0.1 (test/helpers/otlp-receiver.ts);
 * 2. runs test/otel-lines/app.mjs in the app, with the app's Node, once per scenario and module
 *    format: Basalt's own provider over OTLP/HTTP and over OTLP/gRPC, the app's `NodeSDK` with a
 *    `BasaltSpanProcessor`, and `@vercel/otel` where the line has it;
 * 3. checks at the receiver that each run exported its trace: the `startObserve` root, its
 *    `observe` child and a span of the app's own `@opentelemetry/api`, all three in one trace under
 *    the root, stamped with the Basalt values, through the provider the scenario says (the app's
 *    resource for NodeSDK and @vercel/otel, Basalt's otherwise), with the API key.
 *
 * Every wait is bounded. Exits non-zero with the reason.
 *
 *   node_modules/.bin/tsx test/otel-lines/check.ts --app DIR --node PATH --line 0|2|3 --scenarios own,nodesdk
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { CheckFailed, expect, passed, sleep } from '../helpers/checks.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlp-receiver.js';

const API_KEY = 'otel-lines-key';
const RUN_TIMEOUT_MS = 60_000;
const SPANS_TIMEOUT_MS = 10_000;

const { values } = parseArgs({
  options: {
    app: { type: 'string' },
    node: { type: 'string' },
    line: { type: 'string' },
    scenarios: { type: 'string', default: 'own,nodesdk' },
  },
});
const { app, node, line } = values;
if (!app || !node || !['0', '2', '3'].includes(line ?? '')) {
  console.error('usage: check.ts --app DIR --node PATH --line 0|2|3 [--scenarios own,nodesdk,vercel]');
  process.exit(1);
}
/** The app's OpenTelemetry line: 2 or 3, or 0 for an app with none (npm installed the API for us). */
const LINE = line === '0' ? 'no OpenTelemetry' : `line ${line}`;

interface Run {
  scenario: string;
  format: 'esm' | 'cjs';
  protocol: 'http' | 'grpc';
  id: string;
}

/** The runs of one line: every scenario in both module formats, and Basalt's own provider over gRPC. */
function runsFor(scenarios: string[]): Run[] {
  const runs: Run[] = [];
  for (const scenario of scenarios) {
    // @vercel/otel is ESM only.
    const formats = scenario === 'vercel' ? (['esm'] as const) : (['esm', 'cjs'] as const);
    for (const format of formats) {
      runs.push({ scenario, format, protocol: 'http', id: `${scenario}-${format}-http` });
      if (scenario === 'own') runs.push({ scenario, format, protocol: 'grpc', id: `${scenario}-${format}-grpc` });
    }
  }
  return runs;
}

/** The app's environment: one receiver, the key, and nothing Basalt- or OTel-related inherited. */
function appEnv(receiver: OtlpReceiver): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(BASALT_|OTEL_|NODE_OPTIONS$)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    BASALT_API_KEY: API_KEY,
    BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    BASALT_LOG_LEVEL: 'warn',
    // NodeSDK would otherwise also set up metrics and logs exporters to localhost.
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_TRACES_EXPORTER: 'none',
  };
}

/** Runs app.mjs once; resolves with its JSON line, fails with its output if it fails or hangs. */
function runApp(run: Run, receiver: OtlpReceiver): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(node as string, ['app.mjs', run.scenario, run.format, run.id], {
      cwd: app,
      env: appEnv(receiver),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('{"scenario"'));
      if (code !== 0 || !line) {
        reject(new CheckFailed(`${run.id}: app.mjs exited with ${code ?? signal}; output:\n${output}`));
        return;
      }
      const rest = output.replace(line, '').trim();
      if (rest) console.log(`  (${run.id} printed: ${rest.split('\n').join(' | ')})`);
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
  });
}

/** The run's three spans, once they all arrived. */
async function spansOf(run: Run, receiver: OtlpReceiver): Promise<ReceivedSpan[]> {
  const names = [`root ${run.id}`, `child ${run.id}`, `app ${run.id}`];
  const deadline = Date.now() + SPANS_TIMEOUT_MS;
  for (;;) {
    const spans = receiver.spans.filter((s) => names.includes(s.name));
    if (spans.length >= names.length || Date.now() >= deadline) return spans;
    await sleep(100);
  }
}

function checkRun(run: Run, spans: ReceivedSpan[], receiver: OtlpReceiver, report: Record<string, unknown>): void {
  const label = `[${LINE}, ${run.id}]`;
  const byName = (prefix: string) => spans.find((s) => s.name === `${prefix} ${run.id}`);
  const root = byName('root');
  const child = byName('child');
  const appSpan = byName('app');
  expect(
    root && child && appSpan && spans.length === 3,
    `${label} the receiver got the root, the child and the app's span, once each (got: ${spans.map((s) => s.name).join(', ') || 'none'})`,
  );
  if (!root || !child || !appSpan) return;
  expect(
    child.traceId === root.traceId && child.parentSpanId === root.spanId,
    `${label} the observe child is a child of the startObserve root`,
  );
  expect(
    appSpan.traceId === root.traceId && appSpan.parentSpanId === root.spanId,
    `${label} the app's own @opentelemetry/api span is a child of the root (one API, one context)`,
  );
  expect(
    root.attributes['basalt.root'] === true && root.attributes['basalt.span.kind'] === 'basalt_trace',
    `${label} the root is a Basalt root`,
  );
  expect(child.attributes['basalt.span.kind'] === 'generation', `${label} the child is a generation`);
  expect(
    [root, child, appSpan].every(
      (s) =>
        s.attributes['basalt.span.feature_slug'] === 'otel-lines' &&
        s.attributes['basalt.user.id'] === `user-${run.id}` &&
        s.attributes['basalt.in_trace'] === true,
    ),
    `${label} all three spans carry the trace's feature slug, user and basalt.in_trace (the app's span too)`,
  );
  expect(
    root.attributes['basalt.span.input'] === `question ${run.id}` &&
      child.attributes['basalt.span.output'] === `answer ${run.id}`,
    `${label} input and output were recorded`,
  );
  const service = String(root.resource['service.name']);
  const sdkVersion = String(root.resource['telemetry.sdk.version'] ?? '');
  if (run.scenario === 'own') {
    expect(service === `basalt-own-${run.format}`, `${label} exported through Basalt's own provider (${service})`);
  } else {
    expect(
      service === `app-${run.scenario}-${run.format}`,
      `${label} exported through the app's provider (${service}), not Basalt's`,
    );
    if (run.scenario === 'nodesdk') {
      expect(
        sdkVersion.startsWith(`${line}.`),
        `${label} the spans were made by the app's ${line}.x SDK (telemetry.sdk.version ${sdkVersion})`,
      );
    }
  }
  const requests = receiver.requests.filter((r) => r.spanCount > 0);
  expect(
    requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`),
    `${label} every export carried the API key`,
  );
  const stats = report.stats as { exported?: number; failedExports?: number } | undefined;
  expect(stats?.failedExports === 0, `${label} basalt.stats() counts no failed export`);
  console.log(`      node ${report.node}, @opentelemetry/api ${report.api}, resource sdk ${sdkVersion || '-'}`);
}

async function main(): Promise<void> {
  const scenarios = (values.scenarios ?? '').split(',').filter(Boolean);
  const receivers = {
    http: await startOtlpReceiver({ protocol: 'http' }),
    grpc: await startOtlpReceiver({ protocol: 'grpc' }),
  };
  try {
    for (const run of runsFor(scenarios)) {
      const receiver = receivers[run.protocol];
      const started = Date.now();
      const report = await runApp(run, receiver);
      const spans = await spansOf(run, receiver);
      console.log(`  ${run.id} (${run.protocol}) ran in ${Date.now() - started} ms`);
      checkRun(run, spans, receiver, report);
    }
    expect(
      receivers.grpc.requests.length > 0 && receivers.grpc.requests.every((r) => r.path.endsWith('/Export')),
      `[${LINE}] the gRPC receiver got OTLP/gRPC exports`,
    );
  } finally {
    await receivers.http.close();
    await receivers.grpc.close();
  }
  console.log(`otel-lines, ${LINE}: ${passed()} checks passed`);
}

// A check that hangs is a failure, not a stuck CI job.
const watchdog = setTimeout(() => {
  console.error('FAIL otel-lines: the check did not finish within 300 s');
  process.exit(1);
}, 300_000);
watchdog.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`FAIL otel-lines: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
