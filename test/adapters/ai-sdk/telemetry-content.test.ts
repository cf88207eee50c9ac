import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { registerTelemetry } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { type BasaltLanguageModelMiddleware, basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { type MaskFunction, startObserve } from '../../../src/index.js';
import { textStream } from '../../helpers/ai-sdk-parts.js';
import { appProvider } from '../../helpers/app-provider.js';
import { resetTracing, setupTracing } from '../../helpers/tracing.js';
import { MAJORS, type Major } from './majors.js';
import { exported, passThrough } from './telemetry-helpers.js';

// SPEC §9 on the AI SDK's own spans: `mask` and `recordInputs`/`recordOutputs` apply to their content
// attributes in what Basalt receives, as they do to ours, with and without the middleware; the app's
// other exporters still get the spans as the AI SDK wrote them.

const [ai5, ai6, ai7] = MAJORS as [Major, Major, Major];
const SETUPS = [
  { name: 'ai 5 experimental_telemetry', major: ai5, enable: () => {} },
  { name: 'ai 6 experimental_telemetry', major: ai6, enable: () => {} },
  { name: 'ai 7 @ai-sdk/otel OpenTelemetry', major: ai7, enable: () => registerTelemetry(new OpenTelemetry()) },
  {
    name: 'ai 7 @ai-sdk/otel LegacyOpenTelemetry',
    major: ai7,
    enable: () => registerTelemetry(new LegacyOpenTelemetry()),
  },
];

const registry = globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown };
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  registry.AI_SDK_TELEMETRY_INTEGRATIONS = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The test prompt asks about Paris and the model answers about Paris: the city is the secret. */
const SECRET = 'Paris';
const mask: MaskFunction = (value) => JSON.parse(JSON.stringify(value ?? null).replaceAll(SECRET, '[city]'));

const INPUT_KEYS = [
  'ai.prompt',
  'ai.prompt.messages',
  'gen_ai.input.messages',
  'gen_ai.system_instructions',
  'ai.toolCall.args',
];
const OUTPUT_KEYS = ['ai.response.text', 'ai.response.toolCalls', 'gen_ai.output.messages', 'ai.toolCall.result'];

async function run(major: Major, mode: 'generate' | 'stream', middleware: BasaltLanguageModelMiddleware) {
  await startObserve({ name: 'turn', featureSlug: 'support' }, async () => {
    if (mode === 'generate') await major.generate(middleware, [{ text: `Sunny in ${SECRET}` }], { telemetry: true });
    else
      await major.stream(middleware, [textStream(major.spec, { chunks: ['Sunny in ', SECRET] })], { telemetry: true });
  });
}

const theirs = (spans: ReadableSpan[]) => spans.filter((s) => s.instrumentationScope.name !== 'basalt-observe');
const contentKeys = (spans: ReadableSpan[], keys: string[]) =>
  spans.flatMap((s) => Object.keys(s.attributes).filter((k) => keys.includes(k)));
const leaking = (spans: ReadableSpan[]) =>
  spans.flatMap((s) =>
    Object.entries(s.attributes)
      .filter(([, v]) => JSON.stringify(v).includes(SECRET))
      .map(([k]) => `${s.name} ${k}`),
  );

describe.each(SETUPS)("the AI SDK's own content in what Basalt receives › $name", (setup) => {
  for (const mode of ['generate', 'stream'] as const) {
    it(`${mode}: mask applies to their content attributes, with and without basaltMiddleware`, async () => {
      for (const middleware of [basaltMiddleware({ featureSlug: 'support' }), passThrough]) {
        const t = setupTracing({ telemetry: { mask } });
        setup.enable();
        await run(setup.major, mode, middleware);
        const spans = await exported(t.spans, middleware === passThrough ? 3 : 4);
        // Their content is there, masked, and no attribute of any span names the city.
        const masked = contentKeys(theirs(spans), [...INPUT_KEYS, ...OUTPUT_KEYS]);
        expect(masked.length).toBeGreaterThanOrEqual(2);
        expect(leaking(spans)).toEqual([]);
        expect(JSON.stringify(theirs(spans).map((s) => s.attributes))).toContain('[city]');
        registry.AI_SDK_TELEMETRY_INTEGRATIONS = undefined;
        await resetTracing();
      }
    });
  }

  it('a tool loop: the tool call arguments and results on their spans are masked too', async () => {
    const t = setupTracing({ telemetry: { mask } });
    setup.enable();
    const toolCall = { toolCallId: 'call-1', toolName: 'weather', input: { city: SECRET } };
    await startObserve({ name: 'turn', featureSlug: 'support' }, () =>
      setup.major.generate(
        basaltMiddleware({ featureSlug: 'support' }),
        [{ toolCalls: [toolCall] }, { text: 'Sunny.' }],
        {
          telemetry: true,
          tools: true,
        },
      ),
    );
    const spans = await exported(t.spans, 6);
    expect(contentKeys(theirs(spans), ['ai.toolCall.args', 'gen_ai.tool.call.arguments']).length).toBe(1);
    expect(leaking(spans)).toEqual([]);
  });

  it('recordInputs: false drops their input attributes and keeps their outputs; recordOutputs: false the reverse', async () => {
    const noInputs = setupTracing({ telemetry: { recordInputs: false } });
    setup.enable();
    await run(setup.major, 'generate', basaltMiddleware({ featureSlug: 'support' }));
    const withoutInputs = theirs(await exported(noInputs.spans, 4));
    expect(contentKeys(withoutInputs, INPUT_KEYS)).toEqual([]);
    expect(contentKeys(withoutInputs, OUTPUT_KEYS).length).toBeGreaterThanOrEqual(1);
    registry.AI_SDK_TELEMETRY_INTEGRATIONS = undefined;
    await resetTracing();

    const noOutputs = setupTracing({ telemetry: { recordOutputs: false } });
    setup.enable();
    await run(setup.major, 'generate', basaltMiddleware({ featureSlug: 'support' }));
    const withoutOutputs = theirs(await exported(noOutputs.spans, 4));
    expect(contentKeys(withoutOutputs, OUTPUT_KEYS)).toEqual([]);
    expect(contentKeys(withoutOutputs, INPUT_KEYS).length).toBeGreaterThanOrEqual(1);
  });
});

describe("the AI SDK's own content on an app's shared provider", () => {
  it("Basalt's copy is masked, the app's own exporter sees the spans as the AI SDK wrote them", async () => {
    const { app, basalt: basaltCopy, provider, close } = appProvider();
    cleanups.push(close);
    // The Basalt client holds the mask; it finds the processor in the app's provider and uses it.
    setupTracing({ telemetry: { mask } });
    await run(ai6, 'generate', basaltMiddleware({ featureSlug: 'support' }));
    await provider.forceFlush();

    const appSpans = theirs(app.getFinishedSpans());
    const basaltSpans = theirs(basaltCopy.getFinishedSpans());
    expect(basaltSpans.map((s) => s.name).sort()).toEqual(appSpans.map((s) => s.name).sort());
    expect(leaking(appSpans).length).toBeGreaterThanOrEqual(2);
    expect(leaking(basaltSpans)).toEqual([]);
  });
});
