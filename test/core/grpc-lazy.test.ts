import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExportResult, SpanExporter } from '../../src/core/tracing/sdk-types.js';

// The OTLP/gRPC exporter (and @grpc/grpc-js) is imported on the first export to a gRPC endpoint, not
// when basalt-observe is (docs/decisions.md). The gRPC module is replaced here to see when it loads
// and what a failure to load or to export does; test/core/export-e2e.test.ts exports over real gRPC.

const GRPC_MODULE = '../../src/core/tracing/grpc-exporter.js';
const ENDPOINT = 'http://grpc.localhost:4317';

afterEach(() => {
  vi.doUnmock(GRPC_MODULE);
  vi.resetModules();
});

async function createOtlpExporter(): Promise<SpanExporter> {
  const { createOtlpExporter: create } = await import('../../src/core/tracing/exporter.js');
  return create(ENDPOINT, 'key', { 'x-team': 'a' }, 1_000);
}

function exportOnce(exporter: SpanExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([], resolve));
}

describe('the OTLP/gRPC exporter is made on the first export', () => {
  it('loads the gRPC module once, at the first export, with the endpoint, the headers and the key', async () => {
    const inner: SpanExporter = {
      export: (_spans, done) => done({ code: 0 }),
      shutdown: vi.fn(async () => {}),
      forceFlush: vi.fn(async () => {}),
    };
    const createGrpcExporter = vi.fn(() => inner);
    vi.doMock(GRPC_MODULE, () => ({ createGrpcExporter }));
    const exporter = await createOtlpExporter();
    await exporter.forceFlush?.();
    expect(createGrpcExporter).not.toHaveBeenCalled();
    expect(await exportOnce(exporter)).toEqual({ code: 0 });
    expect(await exportOnce(exporter)).toEqual({ code: 0 });
    expect(createGrpcExporter).toHaveBeenCalledTimes(1);
    expect(createGrpcExporter).toHaveBeenCalledWith(ENDPOINT, { 'x-team': 'a', authorization: 'Bearer key' }, 1_000);
    await exporter.forceFlush?.();
    await exporter.shutdown();
    expect(inner.forceFlush).toHaveBeenCalledTimes(1);
    expect(inner.shutdown).toHaveBeenCalledTimes(1);
  });

  it('shuts down without loading anything when nothing was exported', async () => {
    const createGrpcExporter = vi.fn();
    vi.doMock(GRPC_MODULE, () => ({ createGrpcExporter }));
    const exporter = await createOtlpExporter();
    await exporter.shutdown();
    expect(createGrpcExporter).not.toHaveBeenCalled();
  });

  it('fails the export, never throws, when the gRPC exporter cannot be made', async () => {
    vi.doMock(GRPC_MODULE, () => ({
      createGrpcExporter: () => {
        throw new Error('no gRPC here');
      },
    }));
    const exporter = await createOtlpExporter();
    const result = await exportOnce(exporter);
    expect(result.code).toBe(1);
    expect(result.error?.message).toBe('no gRPC here');
    await expect(exporter.shutdown()).resolves.toBeUndefined();
  });

  it('fails the export, with no unhandled rejection, when the loaded exporter throws', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      vi.doMock(GRPC_MODULE, () => ({
        createGrpcExporter: (): SpanExporter => ({
          export: () => {
            throw new Error('boom');
          },
          shutdown: async () => {},
        }),
      }));
      const exporter = await createOtlpExporter();
      const result = await exportOnce(exporter);
      expect(result.code).toBe(1);
      expect(result.error?.message).toBe('boom');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
