import {
  type GenAiMessage,
  type GenAiPart,
  type GenAiToolDefinition,
  isRecord,
  stringValue,
} from '../../core/integration.js';
import { filePart, toolArguments } from './normalize.js';
import type { PromptMessageLike } from './types.js';

/**
 * AI SDK prompts and results in the GenAI message schema (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`, `gen_ai.tool.definitions`). Part shapes
 * are shared by specs v2, v3 and v4 except file data, which `filePart` reads.
 */

export interface GenAiPrompt {
  /** Parts of the system messages, in order. */
  system: GenAiPart[];
  /** The other messages. */
  messages: GenAiMessage[];
}

export function promptToGenAi(prompt: readonly PromptMessageLike[] | undefined): GenAiPrompt {
  const system: GenAiPart[] = [];
  const messages: GenAiMessage[] = [];
  for (const message of Array.isArray(prompt) ? prompt : []) {
    if (!isRecord(message)) continue;
    if (message.role === 'system') {
      if (typeof message.content === 'string') system.push({ type: 'text', content: message.content });
      continue;
    }
    const content = Array.isArray(message.content) ? message.content : [];
    messages.push({ role: String(message.role), parts: content.map(toGenAiPart).filter(isPart) });
  }
  return { system, messages };
}

/** One prompt or result content part (`text`, `reasoning`, `file`, `tool-call`, `tool-result`, …). */
export function toGenAiPart(part: unknown): GenAiPart | undefined {
  if (!isRecord(part)) return undefined;
  switch (part.type) {
    case 'text':
      return { type: 'text', content: String(part.text ?? '') };
    case 'reasoning':
      return { type: 'reasoning', content: String(part.text ?? '') };
    case 'file':
    case 'reasoning-file':
      return filePart(part.data, typeof part.mediaType === 'string' ? part.mediaType : undefined);
    case 'tool-call':
      return {
        type: 'tool_call',
        id: stringValue(part.toolCallId),
        name: String(part.toolName ?? ''),
        arguments: toolArguments(part.input),
      };
    case 'tool-result':
      // Prompt parts carry a typed `output`; provider-executed results in model output carry `result`.
      return {
        type: 'tool_call_response',
        id: stringValue(part.toolCallId),
        response: 'output' in part ? toolOutput(part.output) : part.result,
      };
    default:
      return undefined;
  }
}

/**
 * A tool result's `output`: `{ type: 'text' | 'json' | 'error-text' | 'error-json', value }`,
 * `{ type: 'execution-denied', reason }` or `{ type: 'content', value: [...] }` whose file and media
 * items are summarised, never inlined.
 */
function toolOutput(output: unknown): unknown {
  if (!isRecord(output) || typeof output.type !== 'string') return output;
  if (output.type === 'execution-denied') return { denied: true, reason: output.reason };
  if (output.type !== 'content') return output.value;
  if (!Array.isArray(output.value)) return [];
  return output.value.map((item: unknown) => {
    if (!isRecord(item)) return item;
    if (item.type === 'text') return { type: 'text', content: item.text };
    const mediaType = typeof item.mediaType === 'string' ? item.mediaType : undefined;
    if ('data' in item) return filePart(item.data, mediaType);
    if ('url' in item) return filePart(item.url, mediaType);
    return { type: item.type };
  });
}

/** Tool definitions: function tools with their JSON schema; provider tools by name and id. */
export function toolDefinitions(tools: readonly unknown[] | undefined): GenAiToolDefinition[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const definitions: GenAiToolDefinition[] = [];
  for (const tool of tools) {
    if (!isRecord(tool)) continue;
    if (tool.type === 'function') {
      definitions.push({
        type: 'function',
        name: String(tool.name ?? ''),
        description: stringValue(tool.description),
        parameters: tool.inputSchema,
      });
    } else {
      definitions.push({ type: String(tool.type ?? 'provider'), name: String(tool.name ?? tool.id ?? '') });
    }
  }
  return definitions;
}

/** The one assistant message of a model call, as `gen_ai.output.messages`. */
export function outputMessages(parts: GenAiPart[], finishReason: string | undefined): GenAiMessage[] {
  const message: GenAiMessage = { role: 'assistant', parts };
  if (finishReason) message.finish_reason = finishReason;
  return [message];
}

function isPart(part: GenAiPart | undefined): part is GenAiPart {
  return part !== undefined;
}
