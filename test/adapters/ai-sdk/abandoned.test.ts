import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as ai7 from 'ai';
import * as ai7test from 'ai/test';
import * as ai5 from 'ai5';
import * as ai5test from 'ai5/test';
import * as ai6 from 'ai6';
import * as ai6test from 'ai6/test';
import { describe, expect, it } from 'vitest';
import { type BasaltLanguageModelMiddleware, basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { type Spec, textStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** What an abandoning consumer needs of one `ai` major: its own mock, wrapper and `streamText`. */
interface Driver {
  name: string;
  spec: Spec;
  /** This major reads the rest of the model stream after the consumer left. */
  readsToEnd: boolean;
  /** `streamText(...).textStream`, read until `take` deltas, then left (`break`). */
  readThenBreak(middleware: BasaltLanguageModelMiddleware, parts: unknown[], take: number): Promise<string[]>;
}

type Loose = (options: Record<string, unknown>) => { textStream: AsyncIterable<string> };

function driver(
  name: string,
  spec: Spec,
  readsToEnd: boolean,
  streamText: unknown,
  wrap: (options: { model: never; middleware: never }) => unknown,
  mock: (parts: unknown[]) => unknown,
): Driver {
  return {
    name,
    spec,
    readsToEnd,
    async readThenBreak(middleware, parts, take) {
      const model = wrap({ model: mock(parts) as never, middleware: middleware as never });
      const seen: string[] = [];
      for await (const text of (streamText as Loose)({ model, prompt: 'Count slowly' }).textStream) {
        seen.push(text);
        if (seen.length >= take) break;
      }
      return seen;
    },
  };
}

const DRIVERS: Driver[] = [
  driver('ai 5', 'v2', true, ai5.streamText, ai5.wrapLanguageModel as never, (parts) => {
    return new ai5test.MockLanguageModelV2({
      doStream: async () => ({ stream: ai5test.convertArrayToReadableStream(parts as never[]) }),
    });
  }),
  driver('ai 6', 'v3', true, ai6.streamText, ai6.wrapLanguageModel as never, (parts) => {
    return new ai6test.MockLanguageModelV3({
      doStream: async () => ({ stream: ai6test.convertArrayToReadableStream(parts as never[]) }),
    });
  }),
  driver('ai 7', 'v4', false, ai7.streamText, ai7.wrapLanguageModel as never, (parts) => {
    return new ai7test.MockLanguageModelV4({
      doStream: async () => ({ stream: ai7test.convertArrayToReadableStream(parts as never[]) }),
    });
  }),
];

/** A long answer: far more parts than the AI SDK reads ahead of a consumer that stopped. */
const CHUNKS = Array.from({ length: 200 }, (_, i) => `w${i} `);
const byKind = (spans: ReadableSpan[], kind: string) => spans.filter((s) => s.attributes['basalt.span.kind'] === kind);

describe.each(DRIVERS)('basaltMiddleware › an abandoned stream ($name)', (d) => {
  it('ends the generation span before its startObserve root, marked cancelled, with the partial output', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'chat' });
    const seen = await startObserve({ name: 'request', featureSlug: 'chat' }, () =>
      d.readThenBreak(middleware, textStream(d.spec, { chunks: CHUNKS }), 2),
    );
    expect(seen).toEqual(['w0 ', 'w1 ']);

    const spans = await t.spans();
    const [root] = byKind(spans, 'basalt_trace');
    const generations = byKind(spans, 'generation');
    expect(generations).toHaveLength(1);
    const generation = generations[0] as ReadableSpan;
    expect(generation.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(generation.attributes['basalt.span.cancelled']).toBe(true);
    expect(String(generation.attributes['basalt.span.output'])).toMatch(/^w0 w1 /);
    expect(generation.attributes['gen_ai.response.time_to_first_chunk']).toBeTypeOf('number');
    // Exported in the order they ended: the generation first, then its root.
    expect(spans.indexOf(generation)).toBeLessThan(spans.indexOf(root as ReadableSpan));
  });

  // ai 5 and 6 read the rest of the model stream by themselves (the span ends complete); ai 7 stops
  // pulling, and only the stream being garbage-collected can end the span (#10.1).
  it('exports the middleware’s own root and its generation once, at the latest when the stream is collected', async () => {
    const t = setupTracing();
    const middleware = basaltMiddleware({ featureSlug: 'chat' });
    await d.readThenBreak(middleware, textStream(d.spec, { chunks: CHUNKS }), 2);

    // Bounded: the stream becomes unreachable once the AI SDK's pipeline is dropped.
    let spans: ReadableSpan[] = [];
    for (let round = 0; round < 20 && spans.length < 2; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
      spans = await t.spans();
    }
    const [root] = byKind(spans, 'basalt_trace');
    const [generation] = byKind(spans, 'generation');
    expect(spans).toHaveLength(2);
    expect(generation?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(String(generation?.attributes['basalt.span.output'])).toMatch(/^w0 w1 /);
    if (d.readsToEnd) {
      expect(generation?.attributes['basalt.span.output']).toBe(CHUNKS.join(''));
    } else {
      expect(root?.attributes['basalt.span.cancelled']).toBe(true);
      expect(generation?.attributes['basalt.span.cancelled']).toBe(true);
    }
  });
});
