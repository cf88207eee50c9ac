import type { Attributes } from '@opentelemetry/api';
import {
  ATTR,
  finiteNumber,
  type GenAiMessage,
  type GenAiToolDefinition,
  type GenAiUsage,
  isRecord,
  nonEmptyString,
  providerAttributes,
  requestAttributes,
  usageAttributes,
} from '../../core/integration.js';
import { arrayOf, outputMessages, responseMetadata } from './messages.js';

/**
 * The GenAI fields (§5) of a LangChain model run, read from what the callbacks receive: the run's
 * metadata (`ls_provider`, `ls_model_name`, `ls_temperature`, … which every LangChain model sets),
 * its `invocation_params`, and the `LLMResult` (`usage_metadata`, `response_metadata`, `llmOutput`).
 */

type Loose = Record<string, unknown>;

export type ModelOperation = 'chat' | 'text_completion';

/** The last segment of a serialized runnable's id (`ChatOpenAI`), LangChain's default run name. */
export function serializedName(serialized: unknown): string | undefined {
  if (!isRecord(serialized)) return undefined;
  const id = arrayOf(serialized.id);
  return nonEmptyString(id[id.length - 1]) ?? nonEmptyString(serialized.name);
}

/** Attributes known when a model run starts; `gen_ai.request.model` is `undefined` when unknown. */
export function modelStartAttributes(
  operation: ModelOperation,
  serialized: unknown,
  extraParams: unknown,
  metadata: unknown,
): { model: string | undefined; attributes: Attributes; tools: GenAiToolDefinition[] } {
  const meta: Loose = isRecord(metadata) ? metadata : {};
  const params: Loose =
    isRecord(extraParams) && isRecord(extraParams.invocation_params) ? extraParams.invocation_params : {};
  const pick = (...values: unknown[]) => values.find((v) => v !== undefined && v !== null);
  const model = nonEmptyString(
    pick(meta.ls_model_name, params.model, params.modelName, params.model_name, params.model_id),
  );
  const attributes: Attributes = {
    [ATTR.GEN_AI_OPERATION_NAME]: operation,
    ...requestAttributes({
      model,
      temperature: finiteNumber(pick(meta.ls_temperature, params.temperature)),
      maxTokens: finiteNumber(
        pick(meta.ls_max_tokens, params.max_tokens, params.max_completion_tokens, params.maxTokens),
      ),
      topP: finiteNumber(pick(params.top_p, params.topP)),
      topK: finiteNumber(pick(params.top_k, params.topK)),
      stopSequences: strings(pick(meta.ls_stop, params.stop, params.stop_sequences, params.stopSequences)),
      seed: finiteNumber(params.seed),
      frequencyPenalty: finiteNumber(pick(params.frequency_penalty, params.frequencyPenalty)),
      presencePenalty: finiteNumber(pick(params.presence_penalty, params.presencePenalty)),
    }),
    ...providerAttributes(nonEmptyString(meta.ls_provider) ?? serializedName(serialized)),
  };
  if (params.stream === true) attributes[ATTR.GEN_AI_REQUEST_STREAM] = true;
  return { model, attributes, tools: toolDefinitions(params.tools) };
}

/** Tools bound to the model, in OpenAI (`{ type, function }`) or Anthropic (`{ name, input_schema }`) form. */
function toolDefinitions(tools: unknown): GenAiToolDefinition[] {
  const out: GenAiToolDefinition[] = [];
  for (const tool of arrayOf(tools)) {
    if (!isRecord(tool)) continue;
    const fn = isRecord(tool.function) ? tool.function : tool;
    const name = nonEmptyString(fn.name);
    if (!name) continue;
    out.push({
      type: nonEmptyString(tool.type) ?? 'function',
      name,
      description: nonEmptyString(fn.description),
      parameters: fn.parameters ?? fn.input_schema ?? fn.schema,
    });
  }
  return out;
}

/** Attributes and output messages known when a model run ends. */
export function modelEndAttributes(output: unknown): { attributes: Attributes; messages: GenAiMessage[] } {
  const result: Loose = isRecord(output) ? output : {};
  const generations = arrayOf(arrayOf(result.generations)[0]);
  const messages = outputMessages(generations);
  const first = generations[0];
  const message = isRecord(first) ? first.message : undefined;
  const meta = responseMetadata(message);
  const llmOutput: Loose = isRecord(result.llmOutput) ? result.llmOutput : {};
  const attributes: Attributes = usageAttributes(usageOf(message, llmOutput));
  const responseModel = nonEmptyString(meta.model_name ?? meta.model ?? llmOutput.model_name ?? llmOutput.model);
  if (responseModel) attributes[ATTR.GEN_AI_RESPONSE_MODEL] = responseModel;
  const responseId = nonEmptyString(meta.id ?? llmOutput.id) ?? providerMessageId(message);
  if (responseId) attributes[ATTR.GEN_AI_RESPONSE_ID] = responseId;
  const reasons = messages.flatMap((m) => (m.finish_reason ? [m.finish_reason] : []));
  if (reasons.length > 0) attributes[ATTR.GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  return { attributes, messages };
}

/** A message id set by the provider (`chatcmpl-…`), not the `run-…` id LangChain makes up. */
function providerMessageId(message: unknown): string | undefined {
  const id = isRecord(message) ? nonEmptyString(message.id) : undefined;
  return id && !/^(run-|lc_run)/.test(id) ? id : undefined;
}

/** Usage from the message's `usage_metadata`, else from `llmOutput` (`tokenUsage`, `token_usage`, `usage`). */
function usageOf(message: unknown, llmOutput: Loose): GenAiUsage | undefined {
  const usage = isRecord(message) && isRecord(message.usage_metadata) ? message.usage_metadata : undefined;
  if (usage) {
    const input = isRecord(usage.input_token_details) ? usage.input_token_details : {};
    const output = isRecord(usage.output_token_details) ? usage.output_token_details : {};
    return {
      inputTokens: finiteNumber(usage.input_tokens),
      outputTokens: finiteNumber(usage.output_tokens),
      cacheReadInputTokens: finiteNumber(input.cache_read),
      cacheCreationInputTokens: finiteNumber(input.cache_creation),
      reasoningOutputTokens: finiteNumber(output.reasoning),
    };
  }
  const legacy = [llmOutput.tokenUsage, llmOutput.token_usage, llmOutput.usage, llmOutput.estimatedTokenUsage].find(
    isRecord,
  );
  if (!legacy) return undefined;
  return {
    inputTokens: finiteNumber(legacy.promptTokens ?? legacy.prompt_tokens ?? legacy.input_tokens),
    outputTokens: finiteNumber(legacy.completionTokens ?? legacy.completion_tokens ?? legacy.output_tokens),
  };
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}
