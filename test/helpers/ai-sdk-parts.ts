import type {
  LanguageModelV2,
  LanguageModelV2FinishReason,
  LanguageModelV2StreamPart,
  LanguageModelV2Usage,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';

/**
 * Stream-part and result fixtures for the AI SDK language-model specs v2 (ai 5), v3 (ai 6) and
 * v4 (ai 7), so one test body runs against each shape. Only usage and finish reason differ between
 * the specs for what the adapter reads.
 */

export type Spec = 'v2' | 'v3' | 'v4';

interface Shapes {
  v2: {
    part: LanguageModelV2StreamPart;
    usage: LanguageModelV2Usage;
    finish: LanguageModelV2FinishReason;
    generate: Awaited<ReturnType<LanguageModelV2['doGenerate']>>;
  };
  v3: {
    part: LanguageModelV3StreamPart;
    usage: LanguageModelV3Usage;
    finish: LanguageModelV3FinishReason;
    generate: LanguageModelV3GenerateResult;
  };
  v4: {
    part: LanguageModelV4StreamPart;
    usage: LanguageModelV4Usage;
    finish: LanguageModelV4FinishReason;
    generate: LanguageModelV4GenerateResult;
  };
}

export type StreamPart<S extends Spec> = Shapes[S]['part'];

export interface UsageFixture {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export function usageOf<S extends Spec>(spec: S, u: UsageFixture): Shapes[S]['usage'] {
  if (spec === 'v2') {
    const flat: LanguageModelV2Usage = {
      inputTokens: u.input,
      outputTokens: u.output,
      totalTokens: u.input + u.output,
      reasoningTokens: u.reasoning,
      cachedInputTokens: u.cacheRead,
    };
    return flat as Shapes[S]['usage'];
  }
  const nested: LanguageModelV3Usage = {
    inputTokens: {
      total: u.input,
      noCache: u.input - (u.cacheRead ?? 0),
      cacheRead: u.cacheRead,
      cacheWrite: u.cacheWrite,
    },
    outputTokens: { total: u.output, text: u.output - (u.reasoning ?? 0), reasoning: u.reasoning },
  };
  return nested as Shapes[S]['usage'];
}

type Unified = LanguageModelV2FinishReason & LanguageModelV3FinishReason['unified'];

export function finishOf<S extends Spec>(spec: S, unified: Unified, raw?: string): Shapes[S]['finish'] {
  return (spec === 'v2' ? unified : { unified, raw }) as Shapes[S]['finish'];
}

export interface TextStreamFixture {
  chunks: string[];
  reasoning?: string[];
  usage?: UsageFixture;
  finish?: Unified;
  rawFinish?: string;
  responseId?: string;
  modelId?: string;
}

const DEFAULT_USAGE: UsageFixture = { input: 10, output: 5 };

/** `stream-start`, `response-metadata`, optional reasoning, text deltas, `finish`. */
export function textStream<S extends Spec>(spec: S, f: TextStreamFixture): Array<StreamPart<S>> {
  const parts: unknown[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id: f.responseId ?? 'resp-1', modelId: f.modelId ?? 'mock-model-v1' },
  ];
  if (f.reasoning) {
    parts.push({ type: 'reasoning-start', id: 'r1' });
    for (const delta of f.reasoning) parts.push({ type: 'reasoning-delta', id: 'r1', delta });
    parts.push({ type: 'reasoning-end', id: 'r1' });
  }
  parts.push({ type: 'text-start', id: 't1' });
  for (const delta of f.chunks) parts.push({ type: 'text-delta', id: 't1', delta });
  parts.push({ type: 'text-end', id: 't1' });
  parts.push(finishPart(spec, f.usage ?? DEFAULT_USAGE, f.finish ?? 'stop', f.rawFinish));
  return parts as Array<StreamPart<S>>;
}

export interface ToolCallFixture {
  toolCallId: string;
  toolName: string;
  input: Record<string, unknown>;
}

/** One tool call streamed as `tool-input-*` then `tool-call`, finishing with `tool-calls`. */
export function toolCallStream<S extends Spec>(
  spec: S,
  call: ToolCallFixture,
  usage = DEFAULT_USAGE,
): Array<StreamPart<S>> {
  const input = JSON.stringify(call.input);
  const parts: unknown[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'tool-input-start', id: call.toolCallId, toolName: call.toolName },
    { type: 'tool-input-delta', id: call.toolCallId, delta: input },
    { type: 'tool-input-end', id: call.toolCallId },
    { type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input },
    finishPart(spec, usage, 'tool-calls', 'tool_calls'),
  ];
  return parts as Array<StreamPart<S>>;
}

function finishPart(spec: Spec, usage: UsageFixture, finish: Unified, raw?: string): unknown {
  return { type: 'finish', usage: usageOf(spec, usage), finishReason: finishOf(spec, finish, raw) };
}

export interface GenerateFixture {
  text?: string;
  reasoning?: string;
  toolCalls?: ToolCallFixture[];
  usage?: UsageFixture;
  finish?: Unified;
  rawFinish?: string;
  responseId?: string;
  modelId?: string;
}

/** A `doGenerate` result in the shape of `spec`. */
export function generateResult<S extends Spec>(spec: S, f: GenerateFixture): Shapes[S]['generate'] {
  const content: unknown[] = [];
  if (f.reasoning) content.push({ type: 'reasoning', text: f.reasoning });
  if (f.text !== undefined) content.push({ type: 'text', text: f.text });
  for (const call of f.toolCalls ?? []) {
    content.push({
      type: 'tool-call',
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: JSON.stringify(call.input),
    });
  }
  const result = {
    content,
    finishReason: finishOf(spec, f.finish ?? (f.toolCalls ? 'tool-calls' : 'stop'), f.rawFinish),
    usage: usageOf(spec, f.usage ?? DEFAULT_USAGE),
    response: { id: f.responseId ?? 'resp-1', modelId: f.modelId ?? 'mock-model-v1', timestamp: new Date(0) },
    warnings: [],
  };
  return result as unknown as Shapes[S]['generate'];
}

/** The last user text of a call's prompt, which echo models answer with, to match content to its caller. */
export function promptText(options: { prompt: Array<{ role: string; content: unknown }> }): string {
  const user = options.prompt.filter((m) => m.role === 'user').at(-1);
  const part = Array.isArray(user?.content) ? user.content[0] : undefined;
  return typeof part?.text === 'string' ? part.text : '';
}
