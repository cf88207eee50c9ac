import type { Attributes } from '@opentelemetry/api';
import {
  ATTR,
  type GenAiMessage,
  type GenAiPart,
  type GenAiUsage,
  generationSpanName,
  isRecord,
  type OperationOutcome,
  type OperationRequest,
  outputValue,
  promptContent,
  providerAttributes,
  requestAttributes,
  usageAttributes,
} from '../../core/integration.js';
import type { ResolvedCallOptions } from './call-options.js';
import { outputMessages, promptToGenAi, toGenAiPart, toolDefinitions } from './messages.js';
import { normalizeFinishReason, normalizeUsage } from './normalize.js';
import type { StreamState } from './stream-recorder.js';
import type {
  EmbeddingCallParamsLike,
  EmbedResultLike,
  GenerateResultLike,
  LanguageCallParamsLike,
  ModelLike,
} from './types.js';

/** The request of a language-model call (`doGenerate` or `doStream`). */
export function chatRequest(
  model: ModelLike,
  params: LanguageCallParamsLike,
  options: ResolvedCallOptions,
  stream: boolean,
): OperationRequest {
  // One attributes object, written in place: no spreads on the hot path (#14).
  const attributes = requestAttributes(
    {
      model: model.modelId,
      temperature: params.temperature,
      maxTokens: params.maxOutputTokens,
      topP: params.topP,
      topK: params.topK,
      stopSequences: params.stopSequences,
      seed: params.seed,
      frequencyPenalty: params.frequencyPenalty,
      presencePenalty: params.presencePenalty,
    },
    baseAttributes('chat', model),
  );
  if (stream) attributes[ATTR.GEN_AI_REQUEST_STREAM] = true;
  const { system, messages } = promptToGenAi(params.prompt);
  // The prompt is written as `basalt.span.input` (root and generation) and as the GenAI content
  // attributes: each piece is serialized once, the input's text made from theirs (#14).
  const whole: GenAiMessage[] = system.length > 0 ? [{ role: 'system', parts: system }, ...messages] : messages;
  const { input, content } = promptContent(whole, system, messages);
  const tools = toolDefinitions(params.tools);
  if (tools) content[ATTR.GEN_AI_TOOL_DEFINITIONS] = tools;
  return generation('basaltMiddleware', generationSpanName('chat', model.modelId), options, attributes, input, content);
}

/** The request of an embedding call (`doEmbed`). */
export function embeddingRequest(
  model: ModelLike,
  params: EmbeddingCallParamsLike,
  options: ResolvedCallOptions,
): OperationRequest {
  const values = Array.isArray(params.values) ? params.values : [];
  const attributes = requestAttributes({ model: model.modelId }, baseAttributes('embeddings', model));
  attributes[ATTR.GEN_AI_EMBEDDINGS_INPUT_COUNT] = values.length;
  if (typeof params.dimensions === 'number') attributes[ATTR.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = params.dimensions;
  return generation(
    'basaltEmbeddingMiddleware',
    generationSpanName('embeddings', model.modelId),
    options,
    attributes,
    values,
  );
}

/** A model call as an operation: a `generation` span, under the root the middleware's values open outside a trace. */
function generation(
  who: string,
  name: string,
  trace: ResolvedCallOptions,
  attributes: Attributes,
  input: unknown,
  content?: Record<string, unknown>,
): OperationRequest {
  return { who, kind: 'generation', name, trace, attributes, input, content };
}

function baseAttributes(operation: string, model: ModelLike): Attributes {
  return providerAttributes(model.provider, { [ATTR.GEN_AI_OPERATION_NAME]: operation });
}

/** The outcome of `doGenerate`, from its result content, finish reason, usage and response metadata. */
export function generateOutcome(result: GenerateResultLike): OperationOutcome {
  const content = Array.isArray(result.content) ? result.content : [];
  const parts = content.map(toGenAiPart).filter((p): p is GenAiPart => p !== undefined);
  const response = isRecord(result.response) ? result.response : {};
  return responseOutcome({
    parts,
    finishReason: normalizeFinishReason(result.finishReason),
    usage: normalizeUsage(result.usage),
    responseId: typeof response.id === 'string' ? response.id : undefined,
    responseModel: typeof response.modelId === 'string' ? response.modelId : undefined,
  });
}

/** The outcome of a stream so far (complete, failed or cancelled), with the time to first chunk. */
export function streamOutcome(state: StreamState, startedAt: number): OperationOutcome {
  const outcome = responseOutcome(state);
  if (state.firstChunkAt !== undefined) {
    const seconds = Math.max(0, state.firstChunkAt - startedAt) / 1000;
    if (outcome.attributes) outcome.attributes[ATTR.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = seconds;
  }
  return outcome;
}

function responseOutcome(response: {
  parts: GenAiPart[];
  finishReason?: string;
  usage?: GenAiUsage;
  responseId?: string;
  responseModel?: string;
}): OperationOutcome {
  const attributes: Attributes = usageAttributes(response.usage);
  if (response.responseId) attributes[ATTR.GEN_AI_RESPONSE_ID] = response.responseId;
  if (response.responseModel) attributes[ATTR.GEN_AI_RESPONSE_MODEL] = response.responseModel;
  if (response.finishReason) attributes[ATTR.GEN_AI_RESPONSE_FINISH_REASONS] = [response.finishReason];
  return {
    attributes,
    content: { [ATTR.GEN_AI_OUTPUT_MESSAGES]: outputMessages(response.parts, response.finishReason) },
    output: outputValue(response.parts),
  };
}

/** The outcome of `doEmbed`: token usage and the shape of the result, never the vectors. */
export function embedOutcome(result: EmbedResultLike): OperationOutcome {
  const embeddings = Array.isArray(result.embeddings) ? result.embeddings : [];
  const first = embeddings[0];
  const tokens = isRecord(result.usage) ? result.usage.tokens : undefined;
  return {
    attributes: usageAttributes({ inputTokens: typeof tokens === 'number' ? tokens : undefined }),
    output: { embeddings: embeddings.length, dimensions: Array.isArray(first) ? first.length : undefined },
  };
}
