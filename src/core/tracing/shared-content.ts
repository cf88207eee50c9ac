import type { ResolvedTelemetry } from '../config.js';
import { ATTR } from './attributes.js';
import type { GenAiMessage, GenAiPart } from './gen-ai.js';
import { serialize } from './serialize.js';
import { byteCap, TRUNCATION_MARKER, truncate } from './truncate.js';

/**
 * A content value written more than once, serialized once (#14, docs/decisions.md): the prompt of a
 * model call is `basalt.span.input` of the generation and of the root an adapter opened, and its
 * messages are `gen_ai.input.messages` too. Without a `mask` every write reuses one text, exactly
 * the text `serialize` gives for `value`. With a mask each write serializes on its own, as before:
 * the mask is called per span (it is told the span's name) and may return different values.
 */
export class SharedContent {
  readonly value: unknown;
  readonly #compose: ((telemetry: ResolvedTelemetry) => string | undefined) | undefined;
  #text: string | undefined;
  #maxBytes = 0;

  /** `compose` may build the text from texts already made (it returns `undefined` to let `serialize` do it). */
  constructor(value: unknown, compose?: (telemetry: ResolvedTelemetry) => string | undefined) {
    this.value = value;
    this.#compose = compose;
  }

  /** `serialize(value)` without a mask, under the telemetry's payload limit; made once. */
  text(telemetry: ResolvedTelemetry): string {
    if (this.#text === undefined || this.#maxBytes !== telemetry.maxPayloadBytes) {
      this.#maxBytes = telemetry.maxPayloadBytes;
      this.#text = this.#compose?.(telemetry) ?? serialize(this.value, { maxBytes: telemetry.maxPayloadBytes });
    }
    return this.#text;
  }
}

/** `value` as shared content: a string (written raw, nothing to serialize) and `undefined` stay as they are. */
export function shared(value: unknown): unknown {
  return value === undefined || typeof value === 'string' || value instanceof SharedContent
    ? value
    : new SharedContent(value);
}

/**
 * `basalt.span.input` of a model call: `input`, the whole prompt, whose text is made from the texts
 * of `gen_ai.system_instructions` (`system`) and `gen_ai.input.messages` (`messages`) when `input`
 * is exactly `[{ role: 'system', parts: system }, ...messages]` (or `messages` itself without a
 * system part): `[{"role":"system","parts":<system>},<messages without their bracket>`, which is
 * what `serialize(input)` writes, without walking the prompt again. When either text was cut, or
 * the whole would be, `serialize(input)` makes it instead, so cuts fall where they always did.
 */
export function genAiInputContent(
  input: GenAiMessage[],
  system: SharedContent | undefined,
  messages: SharedContent,
): SharedContent {
  const rest = messages.value as GenAiMessage[];
  if (!system) return sameItems(input, 0, rest) ? messages : new SharedContent(input);
  const head = input[0];
  const parts = system.value as GenAiPart[];
  const composable =
    head !== undefined &&
    head.role === 'system' &&
    Object.keys(head).length === 2 &&
    Object.keys(head)[0] === 'role' &&
    Array.isArray(head.parts) &&
    sameItems(head.parts, 0, parts) &&
    sameItems(input, 1, rest);
  if (!composable) return new SharedContent(input);
  return new SharedContent(input, (telemetry) => {
    const systemText = system.text(telemetry);
    const messagesText = messages.text(telemetry);
    if (!systemText.startsWith('[') || !messagesText.startsWith('[')) return undefined;
    if (systemText.includes(TRUNCATION_MARKER) || messagesText.includes(TRUNCATION_MARKER)) return undefined;
    const text =
      messagesText === '[]'
        ? `[{"role":"system","parts":${systemText}}]`
        : `[{"role":"system","parts":${systemText}},${messagesText.slice(1)}`;
    return truncate(text, byteCap(telemetry.maxPayloadBytes)) === text ? text : undefined;
  });
}

/** `list.slice(from)` holds the very items of `items`, in order. */
function sameItems(list: readonly unknown[], from: number, items: readonly unknown[]): boolean {
  if (list.length - from !== items.length) return false;
  for (let i = 0; i < items.length; i++) if (list[from + i] !== items[i]) return false;
  return true;
}

/**
 * The content of a model call's prompt, each piece serialized once: `gen_ai.input.messages` and
 * (when there is a system part) `gen_ai.system_instructions` in `content`, and `basalt.span.input`
 * made from their texts (`genAiInputContent`) for `input`, the whole prompt as the adapter writes it.
 */
export function promptContent(
  input: GenAiMessage[],
  system: GenAiPart[],
  messages: GenAiMessage[],
): { input: SharedContent; content: Record<string, unknown> } {
  const messagesContent = new SharedContent(messages);
  const content: Record<string, unknown> = { [ATTR.GEN_AI_INPUT_MESSAGES]: messagesContent };
  let systemContent: SharedContent | undefined;
  if (system.length > 0) {
    systemContent = new SharedContent(system);
    content[ATTR.GEN_AI_SYSTEM_INSTRUCTIONS] = systemContent;
  }
  return { input: genAiInputContent(input, systemContent, messagesContent), content };
}
