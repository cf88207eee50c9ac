import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { contentText } from '../../src/core/tracing/content.js';
import type { GenAiMessage, GenAiPart } from '../../src/core/tracing/gen-ai.js';
import { openOperation } from '../../src/core/tracing/operation.js';
import { serialize, TRUNCATION_MARKER } from '../../src/core/tracing/serialize.js';
import { genAiInputContent, SharedContent } from '../../src/core/tracing/shared-content.js';
import { setupTracing } from '../helpers/tracing.js';
import { replayFastCheckSeed } from './fc-seed.js';

// #14: content written more than once (a model call's prompt as `basalt.span.input` on the root and
// the generation, and as `gen_ai.input.messages`) is serialized once, to the very same text.

replayFastCheckSeed();

const telemetryWith = (maxPayloadBytes: number) => resolveConfig({ telemetry: { maxPayloadBytes } }, {}).telemetry;

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const part: fc.Arbitrary<GenAiPart> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), content: text }),
  fc.record({
    type: fc.constant('tool_call' as const),
    id: text,
    name: text,
    arguments: fc.jsonValue({ maxDepth: 3 }),
  }),
);
const message: fc.Arbitrary<GenAiMessage> = fc.record({
  role: fc.constantFrom('user', 'assistant', 'tool'),
  parts: fc.array(part, { maxLength: 4 }),
});

/** A counter of `toJSON` calls: each `serialize` of a value holding it calls it once. */
function counted() {
  const calls = { n: 0 };
  return { calls, value: { toJSON: () => ({ seen: ++calls.n > 0 }) } };
}

describe('genAiInputContent', () => {
  it('writes exactly what serialize writes for the whole prompt, at any payload limit', () => {
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 3 }),
        fc.array(message, { maxLength: 6 }),
        fc.constantFrom(256, 400, 1_000, 32 * 1024),
        (system, messages, maxBytes) => {
          const telemetry = telemetryWith(maxBytes);
          const systemContent = system.length > 0 ? new SharedContent(system) : undefined;
          const messagesContent = new SharedContent(messages);
          const whole: GenAiMessage[] = system.length > 0 ? [{ role: 'system', parts: system }, ...messages] : messages;
          const input = genAiInputContent(whole, systemContent, messagesContent);
          expect(input.text(telemetry)).toBe(serialize(whole, { maxBytes }));
          expect(messagesContent.text(telemetry)).toBe(serialize(messages, { maxBytes }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is the messages content itself without system instructions, and composes nothing it cannot prove equal', () => {
    const messages: GenAiMessage[] = [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }];
    const content = new SharedContent(messages);
    expect(genAiInputContent(messages, undefined, content)).toBe(content);
    const other = genAiInputContent([...messages, ...messages], undefined, content);
    expect(other).not.toBe(content);
    expect(other.text(telemetryWith(1_000))).toBe(serialize([...messages, ...messages]));
    const named = [{ role: 'system', parts: [], name: 'x' }, ...messages] as GenAiMessage[];
    expect(genAiInputContent(named, new SharedContent([]), content).text(telemetryWith(1_000))).toBe(serialize(named));
  });

  it('lets serialize cut a prompt over the limit where it always did', () => {
    const system: GenAiPart[] = [{ type: 'text', content: 's'.repeat(300) }];
    const messages: GenAiMessage[] = [{ role: 'user', parts: [{ type: 'text', content: 'm'.repeat(300) }] }];
    const whole: GenAiMessage[] = [{ role: 'system', parts: system }, ...messages];
    const telemetry = telemetryWith(500);
    const input = genAiInputContent(whole, new SharedContent(system), new SharedContent(messages));
    expect(input.text(telemetry)).toBe(serialize(whole, { maxBytes: 500 }));
    expect(input.text(telemetry)).toContain(TRUNCATION_MARKER);
  });
});

describe('SharedContent', () => {
  it('serializes once for every write without a mask, and per write with one', () => {
    const { calls, value } = counted();
    const content = new SharedContent({ value });
    const plain = telemetryWith(1_000);
    expect(contentText(plain, content, 'input', 'a')).toBe('{"value":{"seen":true}}');
    expect(contentText(plain, content, 'input', 'b')).toBe('{"value":{"seen":true}}');
    expect(calls.n).toBe(1);
    const masked = resolveConfig(
      { telemetry: { mask: (v: unknown, info: { spanName: string }) => [info.spanName, v] } },
      {},
    ).telemetry;
    expect(contentText(masked, content, 'input', 'a')).toBe('["a",{"value":{"seen":true}}]');
    expect(contentText(masked, content, 'input', 'b')).toBe('["b",{"value":{"seen":true}}]');
    expect(calls.n).toBe(3);
  });
});

describe('an operation that opens its own root', () => {
  it('serializes its input and its output once for the root and the leaf', async () => {
    const t = setupTracing({ logLevel: 'silent' });
    const input = counted();
    const output = counted();
    const op = openOperation({
      who: 'test',
      kind: 'generation',
      name: 'chat m',
      trace: { featureSlug: 'f' },
      input: { prompt: input.value },
    });
    op.end({ output: { answer: output.value } });
    const spans = await t.spans();
    expect(spans.map((s) => s.attributes['basalt.span.input'])).toEqual([
      '{"prompt":{"seen":true}}',
      '{"prompt":{"seen":true}}',
    ]);
    expect(spans.map((s) => s.attributes['basalt.span.output'])).toEqual([
      '{"answer":{"seen":true}}',
      '{"answer":{"seen":true}}',
    ]);
    expect(input.calls.n).toBe(1);
    expect(output.calls.n).toBe(1);
  });
});
