import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { embed, generateText, registerTelemetry, wrapEmbeddingModel, wrapLanguageModel } from 'ai';
import { MockEmbeddingModelV4, MockLanguageModelV4 } from 'ai/test';
import * as ai6sdk from 'ai6';
import { MockEmbeddingModelV3 } from 'ai6/test';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BasaltLanguageModelMiddleware,
  basaltEmbeddingMiddleware,
  basaltMiddleware,
} from '../../../src/adapters/ai-sdk/index.js';
import { toRecord } from '../../../src/core/tracing/span-record.js';
import { formatTraceTree } from '../../../src/core/tracing/trace-tree.js';
import { Basalt, startObserve } from '../../../src/index.js';
import { generateResult, textStream } from '../../helpers/ai-sdk-parts.js';
import { appProvider } from '../../helpers/app-provider.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp-receiver.js';
import { resetTracing, setupTracing } from '../../helpers/tracing.js';
import { MAJORS, type Major } from './majors.js';
import { exported, passThrough } from './telemetry-helpers.js';

/**
 * The AI SDK's own telemetry next to `basaltMiddleware` (#12.4, docs/decisions.md "AI SDK telemetry
 * next to the middleware"): real `generateText`/`streamText` of ai 5, 6 and 7 with their real
 * telemetry on (ai 5/6 `experimental_telemetry`, ai 7 `registerTelemetry` of `@ai-sdk/otel`'s
 * `OpenTelemetry` and `LegacyOpenTelemetry`), through a real OpenTelemetry provider.
 */

interface Setup {
  name: string;
  major: Major;
  /** Turns the AI SDK's telemetry on for the test (ai 7: registers the integration). */
  enable(): void;
  /** The AI SDK's spans of one single-step call, outermost first. */
  spans(mode: 'generate' | 'stream'): string[];
}

const [ai5, ai6, ai7] = MAJORS as [Major, Major, Major];
const legacySpans = (mode: 'generate' | 'stream') =>
  mode === 'generate' ? ['ai.generateText', 'ai.generateText.doGenerate'] : ['ai.streamText', 'ai.streamText.doStream'];

const SETUPS: Setup[] = [
  { name: 'ai 5 experimental_telemetry', major: ai5, enable: () => {}, spans: legacySpans },
  { name: 'ai 6 experimental_telemetry', major: ai6, enable: () => {}, spans: legacySpans },
  {
    name: 'ai 7 @ai-sdk/otel OpenTelemetry',
    major: ai7,
    enable: () => registerTelemetry(new OpenTelemetry()),
    spans: () => ['invoke_agent mock-model-id', 'step 1', 'chat mock-model-id'],
  },
  {
    name: 'ai 7 @ai-sdk/otel LegacyOpenTelemetry',
    major: ai7,
    enable: () => registerTelemetry(new LegacyOpenTelemetry()),
    spans: legacySpans,
  },
];

/** ai 7 keeps `registerTelemetry`'s integrations in this global; each test starts without any. */
const registry = globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown };
afterEach(() => {
  registry.AI_SDK_TELEMETRY_INTEGRATIONS = undefined;
});

const USAGE_PREFIXES = ['gen_ai.usage.', 'ai.usage.'];
const hasUsage = (s: ReadableSpan) =>
  Object.keys(s.attributes).some((k) => USAGE_PREFIXES.some((p) => k.startsWith(p)));
const isAiSdk = (s: ReadableSpan) => s.instrumentationScope.name !== 'basalt-observe';

async function run(setup: Setup, mode: 'generate' | 'stream', middleware: BasaltLanguageModelMiddleware) {
  await startObserve({ name: 'turn', featureSlug: 'support' }, async () => {
    if (mode === 'generate') await setup.major.generate(middleware, [{ text: 'Sunny' }], { telemetry: true });
    else
      await setup.major.stream(middleware, [textStream(setup.major.spec, { chunks: ['Sun', 'ny'] })], {
        telemetry: true,
      });
  });
}

/** One line per span, indented under its parent: `name [basalt.span.kind] usage=in/out`. */
function kindTree(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of spans) {
      const p = s.parentSpanContext?.spanId;
      if ((p && ids.has(p) ? p : undefined) !== parent) continue;
      const usage = hasUsage(s)
        ? ` usage=${s.attributes['gen_ai.usage.input_tokens']}/${s.attributes['gen_ai.usage.output_tokens']}`
        : '';
      lines.push(`${'  '.repeat(depth)}${s.name} [${s.attributes['basalt.span.kind'] ?? '-'}]${usage}`);
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** The tree docs/decisions.md documents: the root, the AI SDK's spans as `span`, our generation under their model call. */
function documentedTree(setup: Setup, mode: 'generate' | 'stream'): string {
  const theirs = setup.spans(mode).map((name, i) => `${'  '.repeat(i + 1)}${name} [span]`);
  const ours = `${'  '.repeat(theirs.length + 1)}chat mock-model-id [generation] usage=10/5`;
  return ['turn [basalt_trace]', ...theirs, ours].join('\n');
}

describe.each(SETUPS)('AI SDK telemetry next to basaltMiddleware › $name', (setup) => {
  for (const mode of ['generate', 'stream'] as const) {
    it(`${mode}: one span per model call carries usage, and it is the generation`, async () => {
      const t = setupTracing();
      setup.enable();
      await run(setup, mode, basaltMiddleware({ featureSlug: 'support' }));
      const spans = await exported(t.spans, setup.spans(mode).length + 2);
      const counted = spans.filter((s) => hasUsage(s) || s.attributes['basalt.span.kind'] === 'generation');
      expect(counted.map((s) => s.name)).toEqual(['chat mock-model-id']);
      expect(counted[0]?.instrumentationScope.name).toBe('basalt-observe');
      expect(counted[0]?.attributes['gen_ai.usage.input_tokens']).toBe(10);
      expect(kindTree(spans)).toBe(documentedTree(setup, mode));
    });

    it(`${mode}: without basaltMiddleware, the AI SDK's spans keep their usage and get no Basalt kind`, async () => {
      const t = setupTracing();
      setup.enable();
      await run(setup, mode, passThrough);
      const spans = await exported(t.spans, setup.spans(mode).length + 1);
      const theirs = spans.filter(isAiSdk);
      expect(theirs.map((s) => s.name).sort()).toEqual([...setup.spans(mode)].sort());
      expect(theirs.some((s) => 'basalt.span.kind' in s.attributes)).toBe(false);
      const call = theirs.find((s) => s.name === setup.spans(mode).at(-1));
      expect(call?.attributes['gen_ai.usage.input_tokens']).toBe(10);
      expect(call?.attributes['gen_ai.usage.output_tokens']).toBe(5);
    });
  }

  it('a tool loop: each step is one generation with usage; every AI SDK span above one is a plain span', async () => {
    const t = setupTracing();
    setup.enable();
    await startObserve({ name: 'turn', featureSlug: 'support' }, () =>
      setup.major.generate(
        basaltMiddleware({ featureSlug: 'support' }),
        [{ toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] }, { text: 'Sunny' }],
        { tools: true, telemetry: true },
      ),
    );
    const spans = await t.spans();
    const generations = spans.filter((s) => s.attributes['basalt.span.kind'] === 'generation');
    expect(generations).toHaveLength(2);
    expect(spans.filter(hasUsage)).toEqual(generations);
    const parents = new Set(generations.map((g) => g.parentSpanContext?.spanId));
    const modelCalls = spans.filter((s) => parents.has(s.spanContext().spanId));
    expect(modelCalls).toHaveLength(2);
    expect(modelCalls.every((s) => isAiSdk(s) && s.attributes['basalt.span.kind'] === 'span')).toBe(true);
    // Their tool spans have no generation below them: sent as written.
    const tools = spans.filter((s) => isAiSdk(s) && (s.name === 'ai.toolCall' || s.name === 'execute_tool weather'));
    expect(tools).toHaveLength(1);
    expect(tools[0]?.attributes['basalt.span.kind']).toBeUndefined();
  });
});

describe('AI SDK telemetry next to basaltMiddleware › what is changed, and for whom', () => {
  it('changes only what Basalt receives: the app’s own exporter gets the AI SDK’s spans as written', async () => {
    const appSide = appProvider();
    registerTelemetry(new OpenTelemetry());
    try {
      const basalt = new Basalt({ logLevel: 'silent' });
      await run(SETUPS[2] as Setup, 'generate', basaltMiddleware({ featureSlug: 'support' }));
      await run(SETUPS[2] as Setup, 'generate', passThrough);
      await basalt.flush();
      const byId = new Map(appSide.basalt.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
      const app = appSide.app.getFinishedSpans().filter(isAiSdk);
      expect(app).toHaveLength(6);
      // The app sees the AI SDK's usage on every model call and its aggregate on invoke_agent, both times.
      expect(
        app.filter((s) => s.name !== 'step 1').every((s) => s.attributes['gen_ai.usage.input_tokens'] === 10),
      ).toBe(true);
      const [folded, untouched] = [app.slice(0, 3), app.slice(3)];
      for (const span of folded) {
        const sent = byId.get(span.spanContext().spanId);
        expect(sent?.attributes['basalt.span.kind']).toBe('span');
        expect(sent && hasUsage(sent)).toBe(false);
        expect(span.attributes['basalt.span.kind']).toBeUndefined();
      }
      for (const span of untouched) expect(byId.get(span.spanContext().spanId)?.attributes).toEqual(span.attributes);
    } finally {
      await appSide.close();
      await resetTracing();
    }
  });

  it('ai 7: an integration passed per call (`telemetry.integrations`) is folded the same way', async () => {
    const t = setupTracing();
    const model = wrapLanguageModel({
      model: new MockLanguageModelV4({ doGenerate: generateResult('v4', { text: 'Sunny' }) }),
      middleware: basaltMiddleware({ featureSlug: 'support' }),
    });
    await startObserve({ name: 'turn', featureSlug: 'support' }, () =>
      generateText({ model, prompt: 'Weather?', telemetry: { integrations: [new OpenTelemetry()] } }),
    );
    expect(kindTree(await t.spans())).toBe(documentedTree(SETUPS[2] as Setup, 'generate'));
  });

  it('recognises the legacy spans by `ai.operationId` under a custom tracer too', async () => {
    const t = setupTracing();
    registerTelemetry(new LegacyOpenTelemetry({ tracer: trace.getTracer('my-app') }));
    await run(SETUPS[3] as Setup, 'generate', basaltMiddleware({ featureSlug: 'support' }));
    const spans = await t.spans();
    expect(spans.filter((s) => s.instrumentationScope.name === 'my-app')).toHaveLength(2);
    expect(kindTree(spans)).toBe(documentedTree(SETUPS[3] as Setup, 'generate'));
  });

  it('outside any trace, Basalt receives the middleware’s root and generation only', async () => {
    const t = setupTracing();
    registerTelemetry(new OpenTelemetry());
    await ai7.generate(basaltMiddleware({ featureSlug: 'support' }), [{ text: 'Sunny' }], { telemetry: true });
    expect(kindTree(await t.spans())).toBe('support [basalt_trace]\n  chat mock-model-id [generation] usage=10/5');
  });

  it('the printed tree shows the AI SDK’s spans as `span`, and tokens on the generation only', async () => {
    const t = setupTracing();
    await run(SETUPS[1] as Setup, 'generate', basaltMiddleware({ featureSlug: 'support' }));
    const lines = formatTraceTree((await t.spans()).map(toRecord)).split('\n');
    expect(lines.map((l) => l.replace(/\s+\d+(\.\d)? ms/, '').replace(/\s+$/, ''))).toEqual([
      '● turn  basalt_trace  feature=support  evaluate=false',
      '  └─ ai.generateText  span',
      '     └─ ai.generateText.doGenerate  span  model=mock-model-v1  finish=stop',
      '        └─ chat mock-model-id  generation  model=mock-model-v1  tokens=10→5  finish=stop',
    ]);
  });
});

describe('AI SDK telemetry next to basaltEmbeddingMiddleware', () => {
  const doEmbed = async ({ values }: { values: unknown[] }) => ({
    embeddings: values.map(() => [0.1, 0.2]),
    usage: { tokens: 3 },
    warnings: [],
  });

  it('ai 6: the embeddings span carries the usage, ai.embed and ai.embed.doEmbed are plain spans', async () => {
    const t = setupTracing();
    const middleware = basaltEmbeddingMiddleware({ featureSlug: 'search' });
    const model = ai6sdk.wrapEmbeddingModel({ model: new MockEmbeddingModelV3({ doEmbed }), middleware });
    await startObserve({ name: 'turn', featureSlug: 'search' }, () =>
      ai6sdk.embed({ model, value: 'q', experimental_telemetry: { isEnabled: true } }),
    );
    expect(kindTree(await t.spans())).toBe(
      [
        'turn [basalt_trace]',
        '  ai.embed [span]',
        '    ai.embed.doEmbed [span]',
        '      embeddings mock-model-id [generation] usage=3/undefined',
      ].join('\n'),
    );
  });

  it('ai 7: the workaround, `telemetry: { isEnabled: false }` on the embed call, leaves one span with usage', async () => {
    const t = setupTracing();
    registerTelemetry(new OpenTelemetry());
    const middleware = basaltEmbeddingMiddleware({ featureSlug: 'search' });
    const model = wrapEmbeddingModel({ model: new MockEmbeddingModelV4({ doEmbed }), middleware });
    await startObserve({ name: 'turn', featureSlug: 'search' }, () =>
      embed({ model, value: 'q', telemetry: { isEnabled: false } }),
    );
    expect(kindTree(await t.spans())).toBe(
      'turn [basalt_trace]\n  embeddings mock-model-id [generation] usage=3/undefined',
    );
  });

  it('ai 7 LegacyOpenTelemetry (known limit): the same, the embedding call runs outside its span', async () => {
    const t = setupTracing();
    registerTelemetry(new LegacyOpenTelemetry());
    const middleware = basaltEmbeddingMiddleware({ featureSlug: 'search' });
    const model = wrapEmbeddingModel({ model: new MockEmbeddingModelV4({ doEmbed }), middleware });
    await startObserve({ name: 'turn', featureSlug: 'search' }, () => embed({ model, value: 'q' }));
    expect(kindTree(await t.spans())).toBe(
      [
        'turn [basalt_trace]',
        '  embeddings mock-model-id [generation] usage=3/undefined',
        '  ai.embed [-] usage=undefined/undefined',
        '    ai.embed.doEmbed [-] usage=undefined/undefined',
      ].join('\n'),
    );
    const doEmbedSpan = (await t.spans()).find((s) => s.name === 'ai.embed.doEmbed');
    expect(doEmbedSpan?.attributes['ai.usage.tokens']).toBe(3);
  });

  it('ai 7 (known limit): the integration does not run the embedding call in its span, so nothing is folded', async () => {
    const t = setupTracing();
    registerTelemetry(new OpenTelemetry());
    const middleware = basaltEmbeddingMiddleware({ featureSlug: 'search' });
    const model = wrapEmbeddingModel({ model: new MockEmbeddingModelV4({ doEmbed }), middleware });
    await startObserve({ name: 'turn', featureSlug: 'search' }, () => embed({ model, value: 'q' }));
    // ai 7 has a context hook for language-model calls (executeLanguageModelCall), none for embedding
    // calls: our span is a sibling of theirs, and no rule that does not guess can pair them.
    expect(kindTree(await t.spans())).toBe(
      [
        'turn [basalt_trace]',
        '  embeddings mock-model-id [generation] usage=3/undefined',
        '  embeddings mock-model-id [-]',
        '    embeddings mock-model-id [-] usage=3/undefined',
      ].join('\n'),
    );
  });
});

describe.each(['http', 'grpc'] as const)('AI SDK telemetry next to basaltMiddleware › over OTLP/%s', (protocol) => {
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await resetTracing();
    await receiver?.close();
    receiver = undefined;
  });

  it('the collector receives the AI SDK’s spans as plain spans without usage, and usage on the generation only', async () => {
    receiver = await startOtlpReceiver({ protocol });
    const basalt = new Basalt({ logLevel: 'silent', telemetry: { endpoint: receiver.endpoint } });
    registerTelemetry(new OpenTelemetry());
    await run(SETUPS[2] as Setup, 'stream', basaltMiddleware({ featureSlug: 'support' }));
    await basalt.flush();
    const spans = await receiver.waitForSpans(5, 5000);
    const line = (name: string, kind: unknown) =>
      spans
        .filter((s) => s.name === name && s.attributes['basalt.span.kind'] === kind)
        .map((s) => Object.keys(s.attributes).some((k) => k.includes('usage')));
    expect(line('invoke_agent mock-model-id', 'span')).toEqual([false]);
    expect(line('step 1', 'span')).toEqual([false]);
    expect(line('chat mock-model-id', 'span')).toEqual([false]);
    expect(line('chat mock-model-id', 'generation')).toEqual([true]);
    expect(
      spans.find((s) => s.attributes['basalt.span.kind'] === 'generation')?.attributes['gen_ai.usage.input_tokens'],
    ).toBe(10);
  });
});
