/**
 * Deterministic local models for the demo: no API key, no network. They behave like real ones where
 * tracing can see it — usage, finish reasons, response ids, streamed chunks and tool calls — so the
 * demo's traces look like production traces.
 */

import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

type Prompt = Parameters<MockLanguageModelV4['doGenerate']>[0]['prompt'];
type Tools = Parameters<MockLanguageModelV4['doGenerate']>[0]['tools'];

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

function lastUserText(prompt: Prompt): string {
  for (const message of [...prompt].reverse()) {
    if (message.role !== 'user') continue;
    for (const part of message.content) if (part.type === 'text') return part.text;
  }
  return '';
}

function toolResult(prompt: Prompt): unknown {
  const last = prompt.at(-1);
  if (last?.role !== 'tool') return undefined;
  const part = last.content.find((p) => p.type === 'tool-result');
  if (!part || !('output' in part)) return undefined;
  const output = part.output as { value?: unknown };
  return output.value ?? output;
}

/** What the local model answers: a tool call when it has tools and no result yet, else text. */
function reply(prompt: Prompt, tools: Tools) {
  const result = toolResult(prompt);
  const tool = tools?.find((t) => t.type === 'function');
  if (tool && result === undefined) {
    return { toolCall: { toolCallId: 'call_1', toolName: tool.name, input: JSON.stringify({ city: 'Paris' }) } };
  }
  const question = lastUserText(prompt);
  return {
    text:
      result === undefined
        ? `Local answer to "${question}": tracing works without any API key.`
        : `The tool says it is ${String(result)}.`,
  };
}

/** An AI SDK language model (spec v4, `ai` 7) that answers deterministically, streamed or not. */
export function localLanguageModel(modelId = 'local-model-1') {
  let calls = 0;
  return new MockLanguageModelV4({
    provider: 'local.chat',
    modelId,
    doGenerate: async ({ prompt, tools }) => {
      const r = reply(prompt, tools);
      calls++;
      return {
        content: r.toolCall ? [{ type: 'tool-call', ...r.toolCall }] : [{ type: 'text', text: r.text ?? '' }],
        finishReason: r.toolCall ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' },
        usage: usage(12 * calls, 9),
        warnings: [],
        response: { id: `local-resp-${calls}`, modelId, timestamp: new Date(0) },
      };
    },
    doStream: async ({ prompt, tools }) => {
      const r = reply(prompt, tools);
      const words = (r.text ?? '').split(/(?<= )/);
      return {
        stream: simulateReadableStream({
          initialDelayInMs: 5,
          chunkDelayInMs: 2,
          chunks: [
            { type: 'stream-start', warnings: [] },
            { type: 'response-metadata', id: 'local-stream-1', modelId, timestamp: new Date(0) },
            { type: 'text-start', id: 't1' },
            ...words.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
            { type: 'text-end', id: 't1' },
            { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(14, words.length) },
          ],
        }),
      };
    },
  });
}

/** A LangChain chat model that calls its first bound tool once, then answers with the tool's result. */
export class LocalChatModel extends BaseChatModel {
  readonly model = 'local-chat-1';
  #tools: StructuredToolInterface[] = [];

  constructor(fields: BaseChatModelParams = {}) {
    super(fields);
  }

  _llmType(): string {
    return 'local';
  }

  override bindTools(tools: StructuredToolInterface[]) {
    const bound = new LocalChatModel();
    bound.#tools = tools;
    return bound;
  }

  override invocationParams() {
    return { model: this.model, temperature: 0 };
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const last = messages.at(-1);
    const tool = this.#tools[0];
    const message =
      tool && !(last instanceof ToolMessage)
        ? new AIMessage({ content: '', tool_calls: [{ id: 'call_lc_1', name: tool.name, args: { city: 'Paris' } }] })
        : new AIMessage(
            last instanceof ToolMessage ? `The tool says: ${String(last.content)}.` : 'A local answer from LangChain.',
          );
    message.usage_metadata = { input_tokens: 20, output_tokens: 7, total_tokens: 27 };
    message.response_metadata = { finish_reason: message.tool_calls?.length ? 'tool_calls' : 'stop' };
    return { generations: [{ text: String(message.content), message }] };
  }
}
