import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { basaltMiddleware } from '../../src/adapters/ai-sdk/index.js';
import { Basalt, BasaltSpanProcessor, observe, startObserve } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

const SLOT = Symbol.for('basalt-observe.global');

afterEach(async () => {
  vi.restoreAllMocks();
  await resetTracing();
});

/** Every string reachable from `root` through own properties, bounded in depth and count. */
function reachableStrings(root: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number) => {
    if (typeof value === 'string') out.push(value);
    if (value === null || typeof value !== 'object' || depth > 8 || seen.has(value) || seen.size > 20_000) return;
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) walk(descriptor.value, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

describe('the tracing runtime belongs to the client (#9)', () => {
  it('is not decided by an observe() outside any trace or an adapter warning before new Basalt()', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    // A module warm-up: records nothing, and must not start tracing in local mode.
    await observe({ name: 'warm-up' }, () => 1);
    const middleware = basaltMiddleware({ featureSlug: 'chat' });
    const model = new MockLanguageModelV4({
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'hi' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 1, text: 1, reasoning: 0 },
        },
        warnings: [],
      }),
    });
    // A malformed per-call option makes the adapter log before any client exists.
    const wrapped = wrapLanguageModel({ model, middleware });

    const exporter = new InMemorySpanExporter();
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    await generateText({ model: wrapped, prompt: 'Hi', providerOptions: { basalt: 'oops' as never } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => observe({ name: 'step' }, () => 2));
    await basalt.flush();
    expect(
      exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['chat', 'chat mock-model-id', 'job', 'step']);
  });

  it('is not diverted by a BasaltSpanProcessor that no provider uses', async () => {
    new BasaltSpanProcessor({ exporter: new InMemorySpanExporter() });
    const exporter = new InMemorySpanExporter();
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => 1);
    await basalt.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['job']);
  });

  it('warns once per process when later clients bring other telemetry settings', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new Basalt({ telemetry: { exporter: new InMemorySpanExporter(), sampleRate: 0 } });
    new Basalt({ telemetry: { exporter: new InMemorySpanExporter(), sampleRate: 0.5 } });
    new Basalt({ telemetry: { exporter: new InMemorySpanExporter(), sampleRate: 0.7 } });
    const lines = warn.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('ignored for tracing'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('sampleRate');
  });

  it('keeps the API key off the process-wide slot', async () => {
    const apiKey = 'sk-basalt-never-on-a-global-0123456789';
    const basalt = new Basalt({ apiKey, logLevel: 'silent', telemetry: { endpoint: 'http://127.0.0.1:9/v1/traces' } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => 1);
    const slot = (globalThis as Record<symbol, unknown>)[SLOT];
    expect(slot).toBeDefined();
    expect(reachableStrings(slot).some((s) => s.includes(apiKey))).toBe(false);
    await basalt.shutdown(200);
  });

  it('does not share the slot of another major version, and says so once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const foreign = { version: '99.0.0', warned: new Set(), runtime: { tracer: () => undefined } };
    (globalThis as Record<symbol, unknown>)[SLOT] = foreign;
    const exporter = new InMemorySpanExporter();
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { exporter } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => 1);
    await basalt.flush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['job']);
    expect((globalThis as Record<symbol, unknown>)[SLOT]).toBe(foreign);
    expect(warn.mock.calls.filter(([l]) => String(l).includes('99.0.0 already loaded'))).toHaveLength(1);
  });
});
