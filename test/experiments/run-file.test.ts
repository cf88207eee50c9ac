import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  itemKey,
  parseRunFile,
  RUN_FILE_FORMAT,
  type RunFile,
  type RunResult,
  summarize,
} from '../../src/experiments/run-file.js';
import { BasaltConfigError } from '../../src/index.js';

function result(overrides: Partial<RunResult>): RunResult {
  return {
    index: 0,
    key: 'k',
    item: {},
    status: 'succeeded',
    output: null,
    error: null,
    durationMs: 10,
    traceId: null,
    usage: null,
    scores: {},
    scoreErrors: {},
    ...overrides,
  };
}

describe('summarize', () => {
  it('counts statuses, interpolates percentiles over non-cancelled items and averages scores per scorer', () => {
    const summary = summarize([
      result({ durationMs: 10, usage: { inputTokens: 3, outputTokens: 1 }, scores: { exact: 1 } }),
      result({ durationMs: 20, scores: { exact: 0, other: 0.5 } }),
      result({ status: 'failed', durationMs: 30, usage: { inputTokens: 2, outputTokens: 2 } }),
      result({ status: 'cancelled', durationMs: 0 }),
    ]);
    expect(summary).toEqual({
      items: 4,
      succeeded: 2,
      failed: 1,
      cancelled: 1,
      latencyMs: { p50: 20, p95: 29, mean: 20 },
      tokens: { input: 5, output: 3 },
      scores: { exact: { mean: 0.5, count: 2 }, other: { mean: 0.5, count: 1 } },
    });
  });

  it('gives null latencies when no item ran', () => {
    expect(summarize([result({ status: 'cancelled' })]).latencyMs).toEqual({ p50: null, p95: null, mean: null });
  });
});

describe('itemKey', () => {
  it('uses the id when the item has one', () => {
    expect(itemKey({ id: 'a-1', values: { x: 1 } })).toBe('a-1');
    expect(itemKey({ id: 7 })).toBe('7');
  });

  it('hashes values with sorted keys, so key order does not matter', () => {
    const a = itemKey({ values: { a: 1, b: { c: 2, d: [1, 2] } }, metadata: { m: 1 } });
    const b = itemKey({ metadata: { other: 2 }, values: { b: { d: [1, 2], c: 2 }, a: 1 } });
    expect(a).toMatch(/^h:[0-9a-f]{16}$/);
    expect(a).toBe(b);
    expect(itemKey({ values: { a: 2 } })).not.toBe(a);
  });

  it('hashes the whole item when it has no values, and never throws on circular or bigint values', () => {
    const circular: Record<string, unknown> = { n: 1n };
    circular.self = circular;
    expect(itemKey('plain')).toMatch(/^h:/);
    expect(itemKey(circular)).toMatch(/^h:/);
    expect(canonicalJson(circular)).toBe('{"n":"1","self":"[Circular]"}');
  });
});

describe('parseRunFile', () => {
  const valid: RunFile = {
    format: RUN_FILE_FORMAT,
    version: 1,
    runId: 'r1',
    name: 'run',
    experiment: { id: 'local-1', name: 'run', featureSlug: 'f' },
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    shard: { index: 0, count: 1 },
    summary: summarize([result({})]),
    results: [result({})],
  };

  it('reads a file it wrote', () => {
    expect(parseRunFile(JSON.stringify(valid), 'a.json')).toEqual(valid);
  });

  it('rejects a file that is not ours, or of a newer version, naming the file', () => {
    expect(() => parseRunFile('{"format":"other"}', '/tmp/x.json')).toThrow(
      /\/tmp\/x\.json is not a basalt-observe run file/,
    );
    expect(() => parseRunFile('nope', '/tmp/x.json')).toThrow(BasaltConfigError);
    expect(() => parseRunFile(JSON.stringify({ ...valid, version: 2 }), '/tmp/y.json')).toThrow(
      /\/tmp\/y\.json is a run file of format version 2; this basalt-observe reads up to version 1/,
    );
    expect(() => parseRunFile(JSON.stringify({ ...valid, results: [{ index: 0 }] }), 'z.json')).toThrow(
      /z\.json is not a valid basalt-observe run file: results\[0\] lacks index or key/,
    );
  });
});
