import {
  binaryPart,
  finishReason,
  type GenAiMessage,
  type GenAiPart,
  isRecord,
  nonEmptyString,
} from '../../core/integration.js';

/**
 * LangChain messages to the GenAI message schema (§5). Everything is read structurally, so messages
 * of `@langchain/core` 0.3 and 1.x (and plain objects) convert alike.
 */

type Loose = Record<string, unknown>;

const ROLES: Record<string, string> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  developer: 'system',
  tool: 'tool',
  function: 'tool',
};

/** The message's type (`human`, `ai`, …): `getType()` in 0.3 and 1.x, else the `type`/`role` field. */
function messageType(message: Loose): string {
  const getType = message.getType ?? message._getType;
  if (typeof getType === 'function') {
    const type: unknown = getType.call(message);
    if (typeof type === 'string') return type;
  }
  if (typeof message.type === 'string') return message.type;
  return typeof message.role === 'string' ? message.role : 'user';
}

function roleOf(message: Loose): string {
  const type = messageType(message);
  if (type === 'generic' && typeof message.role === 'string') return ROLES[message.role] ?? message.role;
  return ROLES[type] ?? type;
}

/** One LangChain message as a GenAI message. */
export function toGenAiMessage(message: unknown): GenAiMessage {
  if (!isRecord(message)) return { role: 'user', parts: textParts(message) };
  const role = roleOf(message);
  const parts: GenAiPart[] =
    role === 'tool'
      ? [{ type: 'tool_call_response', id: nonEmptyString(message.tool_call_id), response: message.content }]
      : contentParts(message.content);
  for (const call of arrayOf(message.tool_calls)) {
    if (isRecord(call) && typeof call.name === 'string') {
      parts.push({ type: 'tool_call', id: nonEmptyString(call.id), name: call.name, arguments: call.args });
    }
  }
  const out: GenAiMessage = { role, parts };
  if (typeof message.name === 'string' && message.name !== '') out.name = message.name;
  return out;
}

export function toGenAiMessages(messages: unknown): GenAiMessage[] {
  return arrayOf(messages).map(toGenAiMessage);
}

function textParts(value: unknown): GenAiPart[] {
  if (value === undefined || value === null || value === '') return [];
  return [{ type: 'text', content: typeof value === 'string' ? value : JSON.stringify(value) }];
}

function contentParts(content: unknown): GenAiPart[] {
  if (!Array.isArray(content)) return textParts(content);
  const parts: GenAiPart[] = [];
  for (const block of content) {
    const part = blockPart(block);
    if (part) parts.push(part);
  }
  return parts;
}

/** A content block: text, reasoning, images/audio/files (0.3 and 1.x shapes); tool-use blocks are skipped (`tool_calls` has them). */
function blockPart(block: unknown): GenAiPart | undefined {
  if (typeof block === 'string') return { type: 'text', content: block };
  if (!isRecord(block)) return undefined;
  const type = String(block.type ?? '');
  if (type === 'text' || type === 'text-plain') return { type: 'text', content: String(block.text ?? '') };
  if (type === 'reasoning' || type === 'thinking') {
    return { type: 'reasoning', content: String(block.reasoning ?? block.thinking ?? block.text ?? '') };
  }
  if (type === 'tool_use' || type === 'tool_call' || type === 'tool_call_chunk') return undefined;
  if (type === 'image_url') {
    const url = isRecord(block.image_url) ? block.image_url.url : block.image_url;
    return mediaPart(url, mediaTypeOf(url), 'image');
  }
  if (['image', 'audio', 'video', 'file'].includes(type)) {
    const source = isRecord(block.source) ? block.source : {};
    const mime = nonEmptyString(block.mimeType ?? block.mime_type ?? source.media_type) ?? mediaTypeOf(block.url);
    return mediaPart(block.url ?? block.data ?? source.data ?? source.url, mime, type);
  }
  return { type: 'text', content: JSON.stringify(block) };
}

/** A binary part that never inlines the bytes; the block type gives the modality when the media type does not. */
function mediaPart(data: unknown, mime: string | undefined, modality: string): GenAiPart {
  const part = binaryPart(data, mime);
  if ((part.type === 'blob' || part.type === 'uri') && part.modality === 'file' && modality !== 'file') {
    return { ...part, modality };
  }
  return part;
}

function mediaTypeOf(url: unknown): string | undefined {
  if (typeof url !== 'string' || !url.startsWith('data:')) return undefined;
  return url.slice(5, url.indexOf(';') > 0 ? url.indexOf(';') : url.indexOf(','));
}

/** The generations of one run (`LLMResult.generations[0]`) as assistant messages with their finish reason. */
export function outputMessages(generations: unknown[]): GenAiMessage[] {
  return generations.filter(isRecord).map((generation) => {
    const message: GenAiMessage = isRecord(generation.message)
      ? toGenAiMessage(generation.message)
      : { role: 'assistant', parts: textParts(generation.text) };
    const reason = generationFinishReason(generation);
    if (reason) message.finish_reason = reason;
    return message;
  });
}

/** `finish_reason`/`stop_reason` from the generation info or the message's response metadata. */
export function generationFinishReason(generation: Loose): string | undefined {
  const info = isRecord(generation.generationInfo) ? generation.generationInfo : {};
  const meta = isRecord(generation.message) ? responseMetadata(generation.message) : {};
  const raw = info.finish_reason ?? meta.finish_reason ?? meta.stop_reason ?? meta.finishReason;
  return finishReason(typeof raw === 'string' ? raw : undefined);
}

export function responseMetadata(message: unknown): Loose {
  return isRecord(message) && isRecord(message.response_metadata) ? message.response_metadata : {};
}

/** System messages go to `gen_ai.system_instructions` (their parts), the others to `gen_ai.input.messages`. */
export function splitSystem(messages: GenAiMessage[]): { system: GenAiPart[]; messages: GenAiMessage[] } {
  return {
    system: messages.filter((m) => m.role === 'system').flatMap((m) => m.parts),
    messages: messages.filter((m) => m.role !== 'system'),
  };
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
