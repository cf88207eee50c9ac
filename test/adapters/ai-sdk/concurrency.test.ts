import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText, streamText, wrapLanguageModel } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { generateResult, promptText, textStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

const CALLS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A model that answers after a random pause (so calls interleave) with the prompt it received. */
function echoModel() {
  const mock = new MockLanguageModelV4({
    doGenerate: async (options) => {
      await sleep(Math.random() * 5);
      return generateResult('v4', { text: `echo ${promptText(options)}` });
    },
    doStream: async (options) => {
      await sleep(Math.random() * 5);
      return { stream: convertArrayToReadableStream(textStream('v4', { chunks: ['echo ', promptText(options)] })) };
    },
  });
  return wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: 'chat' }) });
}

/** Checks every generation against its parent root: same user, and content of that same user. */
function misattributed(spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const problems: string[] = [];
  const generations = spans.filter((s) => s.attributes['basalt.span.kind'] === 'generation');
  if (generations.length !== CALLS) problems.push(`${generations.length} generation spans`);
  for (const generation of generations) {
    const root = byId.get(generation.parentSpanContext?.spanId ?? '');
    const user = root?.attributes['basalt.user.id'];
    if (root?.attributes['basalt.root'] !== true) problems.push(`${generation.spanContext().spanId}: no root parent`);
    else if (generation.attributes['basalt.user.id'] !== user) problems.push(`${user}: identity of another user`);
    else if (generation.attributes['basalt.span.output'] !== `echo question of ${user}`)
      problems.push(`${user}: output of another call`);
    else if (generation.spanContext().traceId !== root.spanContext().traceId) problems.push(`${user}: another trace`);
  }
  return problems;
}

describe('basaltMiddleware › concurrency', () => {
  it(`attributes ${CALLS} concurrent generateText calls under ${CALLS} roots to the right user`, async () => {
    const t = setupTracing();
    const model = echoModel();
    await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        startObserve({ name: 'request', featureSlug: 'chat', identity: { user: { id: `user-${i}` } } }, () =>
          generateText({ model, prompt: `question of user-${i}` }),
        ),
      ),
    );
    expect(misattributed(await t.spans())).toEqual([]);
  });

  it(`attributes ${CALLS} concurrent streamText calls under ${CALLS} roots to the right user`, async () => {
    const t = setupTracing();
    const model = echoModel();
    await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        startObserve({ name: 'request', featureSlug: 'chat', identity: { user: { id: `user-${i}` } } }, async () => {
          const result = streamText({ model, prompt: `question of user-${i}` });
          return result.text;
        }),
      ),
    );
    expect(misattributed(await t.spans())).toEqual([]);
  });

  it(`attributes ${CALLS} concurrent calls with per-call identities to the roots the middleware opens`, async () => {
    const t = setupTracing();
    const model = echoModel();
    await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        generateText({
          model,
          prompt: `question of user-${i}`,
          providerOptions: { basalt: { identity: { user: { id: `user-${i}` } } } },
        }),
      ),
    );
    const spans = await t.spans();
    expect(spans.filter((s) => s.attributes['basalt.root'] === true)).toHaveLength(CALLS);
    expect(misattributed(spans)).toEqual([]);
  });
});
