import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../../core/tracing/attributes.js';
import {
  type GenAiMessage,
  type GenAiToolDefinition,
  type GenAiUsage,
  providerName,
  requestAttributes,
  usageAttributes,
} from '../../core/tracing/gen-ai.js';
import { arrayOf, isObject, outputMessages, responseMetadata, stringOr } from './messages.js';

/**
 * The GenAI fields (§5) of a LangChain model run, read from what the callbacks receive: the run's
 * metadata (`ls_provider`, `ls_model_name`, `ls_temperature`, … which every LangChain model sets),
 * its `invocation_params`, and the `LLMResult` (`usage_metadata`, `response_metadata`, `llmOutput`).
 */

type Loose = Record<string, unknown>;

export type ModelOperation = 'chat' | 'text_completion';

/** The last segment of a serialized runnable's id (`ChatOpenAI`), LangChain's default run name. */
export function serializedName(serialized: unknown): string | undefined {
  if (!isObject(serialized)) return undefined;
  const id = arrayOf(serialized.id);
  return stringOr(id[id.length - 1]) ?? stringOr(serialized.name);
}

/** Attributes known when a model run starts; `gen_ai.request.model` is `undefined` when unknown. */
export function modelStartAttributes(
  operation: ModelOperation,
  serialized: unknown,
  extraParams: unknown,
  metadata: unknown,
): { model: string | undefined; attributes: Attributes; tools: GenAiToolDefinition[] } {
  const meta: Loose = isObject(metadata) ? metadata : {};
  const params: Loose =
    isObject(extraParams) && isObject(extraParams.invocation_params) ? extraParams.invocation_params : {};
  const pick = (...values: unknown[]) => values.find((v) => v !== undefined && v !== null);
  const model = stringOr(pick(meta.ls_model_name, params.model, params.modelName, params.model_name, params.model_id));
  const attributes: Attributes = {
    [ATTR.GEN_AI_OPERATION_NAME]: operation,
    ...requestAttributes({
      model,
      temperature: num(pick(meta.ls_temperature, params.temperature)),
      maxTokens: num(pick(meta.ls_max_tokens, params.max_tokens, params.max_completion_tokens, params.maxTokens)),
      topP: num(pick(params.top_p, params.topP)),
      topK: num(pick(params.top_k, params.topK)),
      stopSequences: strings(pick(meta.ls_stop, params.stop, params.stop_sequences, params.stopSequences)),
      seed: num(params.seed),
      frequencyPenalty: num(pick(params.frequency_penalty, params.frequencyPenalty)),
      presencePenalty: num(pick(params.presence_penalty, params.presencePenalty)),
    }),
  };
  const provider = providerName(stringOr(meta.ls_provider) ?? serializedName(serialized));
  if (provider) attributes[ATTR.GEN_AI_PROVIDER_NAME] = provider;
  if (params.stream === true) attributes[ATTR.GEN_AI_REQUEST_STREAM] = true;
  return { model, attributes, tools: toolDefinitions(params.tools) };
}

/** Tools bound to the model, in OpenAI (`{ type, function }`) or Anthropic (`{ name, input_schema }`) form. */
function toolDefinitions(tools: unknown): GenAiToolDefinition[] {
  const out: GenAiToolDefinition[] = [];
  for (const tool of arrayOf(tools)) {
    if (!isObject(tool)) continue;
    const fn = isObject(tool.function) ? tool.function : tool;
    const name = stringOr(fn.name);
    if (!name) continue;
    out.push({
      type: stringOr(tool.type) ?? 'function',
      name,
      description: stringOr(fn.description),
      parameters: fn.parameters ?? fn.input_schema ?? fn.schema,
    });
  }
  return out;
}

/** Attributes and output messages known when a model run ends. */
export function modelEndAttributes(output: unknown): { attributes: Attributes; messages: GenAiMessage[] } {
  const result: Loose = isObject(output) ? output : {};
  const generations = arrayOf(arrayOf(result.generations)[0]);
  const messages = outputMessages(generations);
  const first = generations[0];
  const message = isObject(first) ? first.message : undefined;
  const meta = responseMetadata(message);
  const llmOutput: Loose = isObject(result.llmOutput) ? result.llmOutput : {};
  const attributes: Attributes = usageAttributes(usageOf(message, llmOutput));
  const responseModel = stringOr(meta.model_name ?? meta.model ?? llmOutput.model_name ?? llmOutput.model);
  if (responseModel) attributes[ATTR.GEN_AI_RESPONSE_MODEL] = responseModel;
  const responseId = stringOr(meta.id ?? llmOutput.id) ?? providerMessageId(message);
  if (responseId) attributes[ATTR.GEN_AI_RESPONSE_ID] = responseId;
  const reasons = messages.flatMap((m) => (m.finish_reason ? [m.finish_reason] : []));
  if (reasons.length > 0) attributes[ATTR.GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  return { attributes, messages };
}

/** A message id set by the provider (`chatcmpl-…`), not the `run-…` id LangChain makes up. */
function providerMessageId(message: unknown): string | undefined {
  const id = isObject(message) ? stringOr(message.id) : undefined;
  return id && !/^(run-|lc_run)/.test(id) ? id : undefined;
}

/** Usage from the message's `usage_metadata`, else from `llmOutput` (`tokenUsage`, `token_usage`, `usage`). */
function usageOf(message: unknown, llmOutput: Loose): GenAiUsage | undefined {
  const usage = isObject(message) && isObject(message.usage_metadata) ? message.usage_metadata : undefined;
  if (usage) {
    const input = isObject(usage.input_token_details) ? usage.input_token_details : {};
    const output = isObject(usage.output_token_details) ? usage.output_token_details : {};
    return {
      inputTokens: num(usage.input_tokens),
      outputTokens: num(usage.output_tokens),
      cacheReadInputTokens: num(input.cache_read),
      cacheCreationInputTokens: num(input.cache_creation),
      reasoningOutputTokens: num(output.reasoning),
    };
  }
  const legacy = [llmOutput.tokenUsage, llmOutput.token_usage, llmOutput.usage, llmOutput.estimatedTokenUsage].find(
    isObject,
  );
  if (!legacy) return undefined;
  return {
    inputTokens: num(legacy.promptTokens ?? legacy.prompt_tokens ?? legacy.input_tokens),
    outputTokens: num(legacy.completionTokens ?? legacy.completion_tokens ?? legacy.output_tokens),
  };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}
