import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { grpcFallbackUrl } from '../../src/core/endpoint.js';
import { platformWarnings } from '../../src/core/platform-edge.js';
import { installContextManager } from '../../src/core/tracing/context-manager-edge.js';
import { OtlpExporter } from '../../src/core/tracing/otlp-exporter.js';
import { fetchTransport } from '../../src/core/tracing/otlp-fetch-transport.js';
import { StopSwitch } from '../../src/core/tracing/stop-signal-edge.js';
import { findAsyncLocalStorage, StorageContextManager } from '../../src/core/tracing/storage-context-edge.js';
import { countUtf8 } from '../../src/core/tracing/truncate.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';

// The modules the edge build swaps in (tsup.config.ts, docs/runtimes.md), run under Node: they are
// plain code over fetch, AsyncLocalStorage and the config. .ci/runtimes runs them on the runtimes.

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

function exportOnce(exporter: OtlpExporter) {
  const memory = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('t');
  tracer.startSpan('edge-span').end();
  return new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export(memory.getFinishedSpans(), (result) => resolve(result)),
  );
}

describe('fetchTransport (OTLP/HTTP of the edge build)', () => {
  it('exports spans a real OTLP receiver decodes, with the headers given', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http' });
    const exporter = new OtlpExporter(fetchTransport(receiver.endpoint, { authorization: 'Bearer k' }), 5_000);
    expect((await exportOnce(exporter)).code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.spans.map((s) => s.name)).toEqual(['edge-span']);
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer k');
    expect(receiver.requests[0]?.headers['content-type']).toBe('application/x-protobuf');
  });

  it('fails a 401 at once, naming the URL without its credentials and what to check', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', status: 401 });
    const url = receiver.endpoint.replace('http://', 'http://user:secret@');
    const result = await exportOnce(new OtlpExporter(fetchTransport(url, {}), 5_000));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error)).toMatch(/HTTP 401.*authorization header/);
    expect(String(result.error)).not.toContain('secret');
    expect(receiver.requests).toHaveLength(1);
    // fetch refuses a URL with credentials: they are sent as Basic authorization, as node:http does.
    expect(receiver.requests[0]?.headers.authorization).toBe(`Basic ${btoa('user:secret')}`);
  });

  it('retries a 503 and a refused connection until its deadline, and ends by it', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', status: 503 });
    const started = Date.now();
    const result = await exportOnce(new OtlpExporter(fetchTransport(receiver.endpoint, {}), 1_500));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(receiver.requests.length).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(2_500);
    const closed = await startOtlpReceiver({ protocol: 'http', closed: true });
    const refused = await exportOnce(new OtlpExporter(fetchTransport(closed.endpoint, {}), 800));
    expect(refused.code).toBe(ExportResultCode.FAILED);
    await closed.close();
  });

  it('stops an export in flight at once on shutdown (a black hole)', async () => {
    receiver = await startOtlpReceiver({ protocol: 'http', blackHole: true });
    const exporter = new OtlpExporter(fetchTransport(receiver.endpoint, {}), 10_000);
    const pending = exportOnce(exporter);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await exporter.shutdown();
    expect((await pending).code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('StopSwitch', () => {
  it('runs each listener once at the first abort, and none added after it', () => {
    const stop = new StopSwitch();
    const calls: string[] = [];
    stop.addEventListener('abort', () => calls.push('a'));
    const removed = () => calls.push('removed');
    stop.addEventListener('abort', removed);
    stop.removeEventListener('abort', removed);
    stop.abort();
    stop.abort();
    stop.addEventListener('abort', () => calls.push('late'));
    expect(stop.aborted).toBe(true);
    expect(calls).toEqual(['a']);
  });
});

describe('StorageContextManager (the edge build context manager)', () => {
  it('keeps the active context across awaits and restores the outer one', async () => {
    const manager = new StorageContextManager(AsyncLocalStorage).enable();
    const key = Symbol('k');
    const inner = ROOT_CONTEXT.setValue(key, 'inner');
    const seen = await manager.with(inner, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return manager.active().getValue(key);
    });
    expect(seen).toBe('inner');
    expect(manager.active()).toBe(ROOT_CONTEXT);
    const bound = manager.bind(inner, () => manager.active().getValue(key));
    expect(bound()).toBe('inner');
    manager.disable();
    expect(manager.with(inner, () => manager.active())).toBe(ROOT_CONTEXT);
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});

describe('installContextManager (edge build)', () => {
  it('finds node:async_hooks through process.getBuiltinModule, as on Workers with nodejs_compat', () => {
    expect(findAsyncLocalStorage()).toBe(AsyncLocalStorage);
  });

  it('installs nothing and says so, without throwing, where the runtime has no AsyncLocalStorage', () => {
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(() => {
      throw new Error('No such module "node:async_hooks".');
    });
    try {
      expect(findAsyncLocalStorage()).toBeUndefined();
      expect(installContextManager()).toBe(false);
      expect(context.active()).toBe(ROOT_CONTEXT);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('platformWarnings (edge build)', () => {
  const warningsFor = (telemetry: Record<string, unknown>, env: Record<string, string> = {}, apiKey?: string) =>
    platformWarnings(resolveConfig({ apiKey, telemetry }, env), telemetry, env);

  it('names a gRPC endpoint setting and the OTLP/HTTP URL used instead', () => {
    expect(warningsFor({ endpoint: 'http://collector:4317' })).toEqual([
      expect.stringMatching(
        /^telemetry\.endpoint is an OTLP\/gRPC endpoint \(http:\/\/collector:4317\).*OTLP\/HTTP with fetch to http:\/\/collector:4318\/v1\/traces instead/,
      ),
    ]);
    expect(warningsFor({}, {}, 'key')[0]).toMatch(
      /^Basalt's default endpoint .* to https:\/\/grpc\.otel\.getbasalt\.ai\/v1\/traces instead/,
    );
    expect(warningsFor({}, { BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: 'https://grpc.example.com' })[0]).toMatch(
      /^BASALT_OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('names a local trace file setting and says trees are printed instead', () => {
    expect(warningsFor({ localTraceFile: 'x.jsonl' })).toEqual([
      'telemetry.localTraceFile is set, but this runtime has no file system: local mode prints each trace tree to the console and writes no file.',
    ]);
    expect(warningsFor({}, { BASALT_LOCAL_TRACE_FILE: 'y.jsonl' })[0]).toMatch(/^BASALT_LOCAL_TRACE_FILE is set/);
  });

  it('says nothing for an OTLP/HTTP endpoint or plain local mode', () => {
    expect(warningsFor({ endpoint: 'http://127.0.0.1:4318' })).toEqual([]);
    expect(warningsFor({})).toEqual([]);
  });
});

describe('grpcFallbackUrl', () => {
  it('keeps scheme and host, moves 4317 to 4318 and adds /v1/traces', () => {
    expect(grpcFallbackUrl('http://collector:4317')).toBe('http://collector:4318/v1/traces');
    expect(grpcFallbackUrl('https://grpc.otel.getbasalt.ai')).toBe('https://grpc.otel.getbasalt.ai/v1/traces');
    expect(grpcFallbackUrl('otel.example.com:9000')).toBe('https://otel.example.com:9000/v1/traces');
  });
});

describe('countUtf8 (no Buffer on edge runtimes)', () => {
  it('equals Buffer.byteLength for any string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => countUtf8(text) === Buffer.byteLength(text, 'utf8')),
      { numRuns: 2000 },
    );
    for (const text of ['\ud800', '\udc00x', 'a\ud83d\ude00b', '\ud83d']) {
      expect(countUtf8(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('experiments on the edge build', () => {
  it('rejects experiments.run and local dataset files with an error that says where they run', async () => {
    const { runExperiment } = await import('../../src/experiments/runner-edge.js');
    const { readLocalDataset } = await import('../../src/core/local-dataset-edge.js');
    const { BasaltConfigError } = await import('../../src/core/errors.js');
    await expect(runExperiment({} as never, {})).rejects.toThrow(BasaltConfigError);
    await expect(runExperiment({} as never, {})).rejects.toThrow(/Node, Bun and Deno/);
    await expect(readLocalDataset('tickets', '.basalt/datasets')).rejects.toThrow(/set BASALT_API_KEY/);
  });
});
