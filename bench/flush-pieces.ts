/**
 * What one timed flush of the with-export bench is made of (docs/benchmarks.md, "MISS analysis"):
 * rounds of 100 `generateText` calls through the middleware inside one open root, then
 * `basalt.flush()` to an OTLP/HTTP receiver in another process, as `bench/with-export.ts` times them.
 * The flush is split where the exporter's request is made (`node:http`'s `request`, which the
 * transport looks up on each export): before it, draining the queue and encoding the batch; after
 * it, the request's round trip. Then a request of the same size on a keep-alive agent of its own,
 * once right after each flush and once back to back, gives the round trip's floor on this machine.
 * Run after `npm run bench` has built the package:
 *
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/flush-pieces.ts
 */
import http from 'node:http';
import { generateText } from 'ai';
import { Basalt, startObserve } from 'basalt-observe';
import { FEATURE, IDENTITY, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';
import { median } from './harness.js';
import { startSinkProcess } from './sink-process.js';

const ROUNDS = 120;
const WARMUP_ROUNDS = 20;
const CALLS = 100;

const sink = await startSinkProcess();
const basalt = new Basalt({ apiKey: 'bench-key', logLevel: 'warn', telemetry: { endpoint: `${sink.base}/v1/traces` } });
const { wrapped, clear } = mockModels(1);
const url = new URL(`${sink.base}/v1/traces`);

// The exporter's request: when it is made, when its response arrives, and its body's size.
const originalRequest = http.request;
let requestAt = 0n;
let responseAt = 0n;
let bodyBytes = 0;
(http as { request: unknown }).request = (...args: Parameters<typeof http.request>) => {
  requestAt = process.hrtime.bigint();
  const options = args[1] as http.RequestOptions;
  bodyBytes = Number((options.headers as Record<string, string> | undefined)?.['content-length'] ?? 0);
  const onResponse = args[2] as (res: http.IncomingMessage) => void;
  return originalRequest(args[0] as URL, options, (res) => {
    responseAt = process.hrtime.bigint();
    onResponse(res);
  });
};

const agent = new http.Agent({ keepAlive: true });
function post(bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = originalRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': String(bytes) },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(new Uint8Array(bytes));
  });
}
const us = (from: bigint, to: bigint) => Number(to - from) / 1000;

const calls: number[] = [];
const beforeRequest: number[] = [];
const roundTrip: number[] = [];
const afterResponse: number[] = [];
const plainAfterFlush: number[] = [];
const sizes: number[] = [];
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const root = startObserve({ name: 'request', featureSlug: FEATURE, identity: IDENTITY });
  const [start, flushAt, flushed] = await root.run(async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT });
    const flushAt = process.hrtime.bigint();
    await basalt.flush();
    return [start, flushAt, process.hrtime.bigint()];
  });
  const plainStart = process.hrtime.bigint();
  await post(bodyBytes);
  const plainEnd = process.hrtime.bigint();
  root.end();
  clear();
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (round < WARMUP_ROUNDS) continue;
  calls.push(us(start, flushAt) / CALLS);
  beforeRequest.push(us(flushAt, requestAt));
  roundTrip.push(us(requestAt, responseAt));
  afterResponse.push(us(responseAt, flushed));
  plainAfterFlush.push(us(plainStart, plainEnd));
  sizes.push(bodyBytes);
}
const backToBack: number[] = [];
for (let i = 0; i < 300; i++) {
  const start = process.hrtime.bigint();
  await post(median(sizes));
  if (i >= 50) backToBack.push(us(start, process.hrtime.bigint()));
}

const flush = median(beforeRequest) + median(roundTrip) + median(afterResponse);
const line = (label: string, value: number, unit = 'µs') =>
  console.log(`${label.padEnd(74)} ${value.toFixed(1).padStart(8)} ${unit}`);
console.log(`node ${process.version}; ${ROUNDS} rounds of ${CALLS} calls in one root, then flush(); medians`);
line('calls: generateText through the middleware, per call', median(calls));
line(`flush of ${CALLS} calls (${median(sizes).toLocaleString('en-US')} bytes), whole`, flush);
line('  flush() to the request: queue drained, batch encoded', median(beforeRequest));
line('  the request, made to its response', median(roundTrip));
line('  the response to flush() resolving', median(afterResponse));
line('the same request size, own agent, right after each flush', median(plainAfterFlush));
line('the same request size, own agent, back to back', median(backToBack));
line('flush per call', flush / CALLS);
await basalt.shutdown();
await sink.close();
