import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { Basalt, observe, startObserve } from 'basalt-observe';
import { FEATURE, IDENTITY } from './ai-sdk.js';

/** A node:http OTLP sink on 127.0.0.1 that answers 200 and only counts requests and bytes. */
async function startSink() {
  const counts = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      counts.bytes += chunk.length;
    });
    req.on('end', () => {
      counts.requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { endpoint: `http://127.0.0.1:${port}/v1/traces`, counts, close };
}

/**
 * Forgets the process-wide tracing, so that a client with another telemetry config can start: shuts
 * it down, empties the package's global slot (the `Symbol.for` key of docs/decisions.md, as the test
 * helper's reset does) and unregisters the OpenTelemetry globals. For this benchmark only.
 */
export async function resetTracing(basalt: Basalt): Promise<void> {
  await basalt.shutdown();
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('basalt-observe.global')];
  trace.disable();
  context.disable();
}

const KINDS = ['retrieval', 'function', 'generation', 'tool'] as const;

/** One trace of 5 spans (a root and 4 children) with small inputs and outputs. */
export function oneTrace(i: number): void {
  startObserve(
    { name: 'analyse_ticket', featureSlug: FEATURE, identity: IDENTITY, input: { ticket: i, text: 'Order late' } },
    (root) => {
      for (const kind of KINDS) {
        observe({ name: `step ${kind}`, kind, input: `input of step ${kind} for ticket ${i}` }, (span) =>
          span.setOutput(`output of step ${kind}`),
        );
      }
      root.setOutput({ answer: 'Your order ships today.' });
    },
  );
}

export interface ExportResult {
  spans: number;
  seconds: number;
  /** Seconds spent in `flush()`, i.e. serializing and sending. */
  flushSeconds: number;
  requests: number;
  bytes: number;
  dropped: number;
  failed: number;
}

/**
 * Spans/s through the real exporter: a Basalt client with an API key and an OTLP/HTTP protobuf
 * endpoint (`createBasaltExporter`'s path), sending to a local sink. Spans are produced in bursts of
 * 400 traces (2,000 spans, under the 2,048-span queue bound), each followed by `flush()`.
 */
export async function benchExport(traces: number): Promise<ExportResult> {
  const sink = await startSink();
  const basalt = new Basalt({ apiKey: 'bench-key', logLevel: 'warn', telemetry: { endpoint: sink.endpoint } });
  const burst = 400;
  for (let i = 0; i < burst; i++) oneTrace(i);
  await basalt.flush();
  const before = { ...basalt.stats(), ...sink.counts };
  let flushNs = 0n;
  const start = process.hrtime.bigint();
  for (let done = 0; done < traces; done += burst) {
    for (let i = 0; i < burst; i++) oneTrace(done + i);
    const flushStart = process.hrtime.bigint();
    await basalt.flush();
    flushNs += process.hrtime.bigint() - flushStart;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stats = basalt.stats();
  await basalt.shutdown();
  await sink.close();
  return {
    spans: stats.exported - before.exported,
    seconds,
    flushSeconds: Number(flushNs) / 1e9,
    requests: sink.counts.requests - before.requests,
    bytes: sink.counts.bytes - before.bytes,
    dropped: stats.droppedQueueFull - before.droppedQueueFull,
    failed: stats.failedExports - before.failedExports,
  };
}
