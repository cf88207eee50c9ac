// One traced call in an app that installed basalt-observe from its tarball, run by
// test/otel-lines/check.ts (see .ci/otel-lines) with the app's own Node and node_modules:
//
//   node app.mjs <scenario> <esm|cjs> <run-id>
//
// scenario: `own` (Basalt's own TracerProvider), `nodesdk` (the app's NodeSDK with a
// BasaltSpanProcessor), `vercel` (@vercel/otel's registerOTel with a BasaltSpanProcessor).
// `cjs` loads basalt-observe and the OpenTelemetry packages with require(), `esm` with import.
// The endpoint and the API key come from BASALT_OTEL_EXPORTER_OTLP_ENDPOINT and BASALT_API_KEY.
// Prints one JSON line describing the run, and exits 0 once everything is flushed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [scenario = 'own', format = 'esm', run = 'run'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const load = (name) => (format === 'cjs' ? require(name) : import(name));

// A run that hangs is a failure, not a stuck CI job.
setTimeout(() => {
  console.error(`app: ${scenario}/${format} did not finish within 45 s`);
  process.exit(2);
}, 45_000).unref();

const { Basalt, BasaltSpanProcessor, basaltResourceAttributes } = await load('basalt-observe');
const api = await load('@opentelemetry/api');

let appSdk;
if (scenario === 'nodesdk') {
  const { NodeSDK } = await load('@opentelemetry/sdk-node');
  appSdk = new NodeSDK({
    serviceName: `app-nodesdk-${format}`,
    spanProcessors: [new BasaltSpanProcessor()],
  });
  appSdk.start();
} else if (scenario === 'vercel') {
  const { registerOTel } = await import('@vercel/otel');
  registerOTel({
    serviceName: `app-vercel-${format}`,
    attributes: basaltResourceAttributes(),
    spanProcessors: [new BasaltSpanProcessor()],
  });
} else if (scenario !== 'own') {
  throw new Error(`unknown scenario ${scenario}`);
}

const basalt = new Basalt({ telemetry: { serviceName: `basalt-own-${format}` } });
const answer = await basalt.startObserve(
  { name: `root ${run}`, featureSlug: 'otel-lines', identity: { user: { id: `user-${run}` } } },
  async (root) => {
    root.setInput(`question ${run}`);
    const text = await basalt.observe({ name: `child ${run}`, kind: 'generation' }, async (child) => {
      child.setOutput(`answer ${run}`);
      return `answer ${run}`;
    });
    // A span of the app's own OpenTelemetry API inside the Basalt root: with a second copy of
    // @opentelemetry/api it would have no parent, or not be recorded at all.
    await api.trace.getTracer('otel-lines-app').startActiveSpan(`app ${run}`, async (span) => {
      span.setAttribute('app.step', 'db');
      span.end();
    });
    root.setOutput(text);
    return text;
  },
);

await basalt.flush();
if (appSdk) await appSdk.shutdown();
await basalt.shutdown();

// Read from the file: @opentelemetry/api does not export its package.json.
const version = (name) => {
  try {
    return JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version;
  } catch {
    return undefined;
  }
};
console.log(
  JSON.stringify({
    scenario,
    format,
    run,
    answer,
    node: process.version,
    api: version('@opentelemetry/api'),
    stats: basalt.stats(),
  }),
);
