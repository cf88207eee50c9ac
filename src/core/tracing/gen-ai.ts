import type { Attributes } from '@opentelemetry/api';
import { ATTR } from './attributes.js';
import { binarySummary } from './serialize.js';

/**
 * GenAI semantic-convention helpers shared by both adapters (§5): provider names, finish reasons,
 * usage and request parameters as attributes, and the message schema of `gen_ai.input.messages` /
 * `gen_ai.output.messages` / `gen_ai.system_instructions` / `gen_ai.tool.definitions`.
 */

/** A part of a GenAI message in the convention's schema. */
export type GenAiPart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: 'blob'; modality: string; mime_type?: string; content: string }
  | { type: 'uri'; modality: string; mime_type?: string; uri: string };

export interface GenAiMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string;
  parts: GenAiPart[];
  name?: string;
  finish_reason?: string;
}

export interface GenAiToolDefinition {
  type: 'function' | string;
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface GenAiUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningOutputTokens?: number;
}

export interface GenAiRequest {
  model?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

const PROVIDERS: Array<[RegExp, string]> = [
  [/^azure/, 'azure.ai.openai'],
  [/^openai/, 'openai'],
  [/^anthropic/, 'anthropic'],
  [/bedrock/, 'aws.bedrock'],
  [/vertex/, 'gcp.vertex_ai'],
  [/^google/, 'gcp.gemini'],
  [/^mistral/, 'mistral_ai'],
  [/^cohere/, 'cohere'],
  [/^groq/, 'groq'],
  [/^deepseek/, 'deepseek'],
  [/^perplexity/, 'perplexity'],
  [/^xai/, 'x_ai'],
  [/^ibm|watsonx/, 'ibm.watsonx.ai'],
];

/**
 * `gen_ai.provider.name` from an AI SDK provider id (`openai.chat`, `anthropic.messages`,
 * `amazon-bedrock`) or a LangChain class/provider (`ChatOpenAI`, `openai`). Unknown ids pass through
 * lower-cased, up to the first dot.
 */
export function providerName(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const known = providerNames.get(id);
  if (known !== undefined || providerNames.has(id)) return known;
  const lower = id.toLowerCase().replace(/^chat/, '');
  let name: string | undefined;
  for (const [pattern, mapped] of PROVIDERS) {
    if (pattern.test(lower)) {
      name = mapped;
      break;
    }
  }
  name ??= lower.split('.')[0] || undefined;
  // An app has a handful of provider ids: the regexes run once per id, not once per call (#14).
  if (providerNames.size < 256) providerNames.set(id, name);
  return name;
}

const providerNames = new Map<string, string | undefined>();

/**
 * `gen_ai.provider.name` and the older `gen_ai.system`, both with `providerName(id)` (#16); none
 * when the provider is unknown. Written into `into` (a fresh object by default).
 */
export function providerAttributes(id: string | undefined, into: Attributes = {}): Attributes {
  const provider = providerName(id);
  if (provider) {
    into[ATTR.GEN_AI_PROVIDER_NAME] = provider;
    into[ATTR.GEN_AI_SYSTEM] = provider;
  }
  return into;
}

/** A finish reason in the convention's vocabulary: stop, length, content_filter, tool_call, error. */
export function finishReason(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const r = raw.toLowerCase().replace(/-/g, '_');
  if (['stop', 'end_turn', 'stop_sequence', 'eos', 'complete'].includes(r)) return 'stop';
  if (['length', 'max_tokens', 'max_output_tokens', 'model_length'].includes(r)) return 'length';
  if (['content_filter', 'safety', 'recitation', 'blocklist', 'prohibited_content'].includes(r))
    return 'content_filter';
  if (['tool_calls', 'tool_call', 'tool_use', 'function_call'].includes(r)) return 'tool_call';
  if (r === 'error') return 'error';
  return r;
}

export function usageAttributes(usage: GenAiUsage | undefined): Attributes {
  const attrs: Attributes = {};
  if (!usage) return attrs;
  const put = (key: string, value: number | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) attrs[key] = value;
  };
  put(ATTR.GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
  put(ATTR.GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
  put(ATTR.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
  put(ATTR.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheCreationInputTokens);
  put(ATTR.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningOutputTokens);
  return attrs;
}

/**
 * The request parameters that are set, written into `into` (a fresh object by default): one object
 * per call on the hot path, no intermediate arrays (#14).
 */
export function requestAttributes(request: GenAiRequest, into: Attributes = {}): Attributes {
  putParam(into, ATTR.GEN_AI_REQUEST_MODEL, request.model);
  putParam(into, ATTR.GEN_AI_REQUEST_TEMPERATURE, request.temperature);
  putParam(into, ATTR.GEN_AI_REQUEST_MAX_TOKENS, request.maxTokens);
  putParam(into, ATTR.GEN_AI_REQUEST_TOP_P, request.topP);
  putParam(into, ATTR.GEN_AI_REQUEST_TOP_K, request.topK);
  putParam(into, ATTR.GEN_AI_REQUEST_SEED, request.seed);
  putParam(into, ATTR.GEN_AI_REQUEST_FREQUENCY_PENALTY, request.frequencyPenalty);
  putParam(into, ATTR.GEN_AI_REQUEST_PRESENCE_PENALTY, request.presencePenalty);
  if (Array.isArray(request.stopSequences) && request.stopSequences.length > 0) {
    into[ATTR.GEN_AI_REQUEST_STOP_SEQUENCES] = request.stopSequences.map(String);
  }
  return into;
}

function putParam(into: Attributes, key: string, value: unknown): void {
  if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '')) {
    into[key] = value;
  }
}

/** Span name of a model call: `{operation} {model}` (`chat gpt-4o`). */
export function generationSpanName(operation: string, model: string | undefined): string {
  return model ? `${operation} ${model}` : operation;
}

/** `image/png` → `image`; the modality of a blob part. */
export function modalityOf(mediaType: string | undefined): string {
  const top = mediaType?.split('/')[0];
  return top === 'image' || top === 'audio' || top === 'video' ? top : 'file';
}

/**
 * A binary prompt part (image, audio, file) as a GenAI part that never inlines the bytes: a URL
 * stays a `uri` part; data (bytes, base64, data URL) becomes a `blob` whose content is a summary.
 */
export function binaryPart(data: unknown, mediaType: string | undefined): GenAiPart {
  const modality = modalityOf(mediaType);
  if (data instanceof URL) return { type: 'uri', modality, mime_type: mediaType, uri: data.href };
  if (typeof data === 'string' && /^https?:\/\//.test(data)) {
    return { type: 'uri', modality, mime_type: mediaType, uri: data };
  }
  const bytes = byteSize(data);
  const summary = binarySummary(modality, bytes, mediaType);
  return {
    type: 'blob',
    modality,
    mime_type: mediaType,
    content: `[${summary.kind} ${mediaType ?? ''} ${bytes} bytes not recorded]`.replace('  ', ' '),
  };
}

function byteSize(data: unknown): number {
  if (typeof data === 'string') {
    const base64 = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
    const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
    return Math.floor((base64.length * 3) / 4) - padding;
  }
  if (data instanceof ArrayBuffer) return data.byteLength;
  if (ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** What `basalt.span.output` of a model call shows: its text when it wrote some, else the non-reasoning parts (tool calls, files). */
export function outputValue(parts: GenAiPart[]): unknown {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.content;
  return text !== '' ? text : parts.filter((p) => p.type !== 'reasoning');
}
