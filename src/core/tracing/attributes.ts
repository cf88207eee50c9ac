/**
 * Every attribute key the package writes (SPEC §5), in one table. Basalt keys are compatible with
 * Basalt's official SDKs; GenAI keys are copied from the OpenTelemetry GenAI semantic conventions
 * (not imported from `@opentelemetry/semantic-conventions/incubating` at run time).
 */
export const ATTR = {
  FEATURE_SLUG: 'basalt.span.feature_slug',
  EXPERIMENT_ID: 'basalt.experiment.id',
  EXPERIMENT_NAME: 'basalt.experiment.name',
  EXPERIMENT_FEATURE_SLUG: 'basalt.experiment.feature_slug',
  USER_ID: 'basalt.user.id',
  USER_NAME: 'basalt.user.name',
  ORGANIZATION_ID: 'basalt.organization.id',
  ORGANIZATION_NAME: 'basalt.organization.name',
  SHOULD_EVALUATE: 'basalt.span.should_evaluate',
  IN_TRACE: 'basalt.in_trace',
  ROOT: 'basalt.root',
  TRACE: 'basalt.trace',
  SPAN_KIND: 'basalt.span.kind',
  EVALUATORS: 'basalt.span.evaluators',
  /** JSON `{"sample_rate": n}` on the root, in the Python SDK's keys and number form (#16). */
  EVALUATION_CONFIG: 'basalt.span.evaluation.config',
  /** The trace's evaluation sample rate as a number, on the root and every descendant, as the JS SDK sends it (#16). */
  EVALUATION_SAMPLE_RATE: 'basalt.span.evaluation.sample_rate',
  METADATA: 'basalt.metadata',
  INPUT: 'basalt.span.input',
  OUTPUT: 'basalt.span.output',
  /** Set on a span whose stream the consumer cancelled. */
  CANCELLED: 'basalt.span.cancelled',

  SDK_TYPE: 'basalt.sdk.type',
  SDK_VERSION: 'basalt.sdk.version',
  SERVICE_NAME: 'service.name',
  DEPLOYMENT_ENVIRONMENT: 'deployment.environment.name',

  ERROR_TYPE: 'error.type',

  GEN_AI_OPERATION_NAME: 'gen_ai.operation.name',
  GEN_AI_PROVIDER_NAME: 'gen_ai.provider.name',
  /**
   * The older name of `gen_ai.provider.name` (deprecated by the conventions), written with the same
   * value: Basalt's JS SDK recognises generations by it (#16).
   */
  GEN_AI_SYSTEM: 'gen_ai.system',
  GEN_AI_REQUEST_MODEL: 'gen_ai.request.model',
  GEN_AI_REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  GEN_AI_REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  GEN_AI_REQUEST_TOP_P: 'gen_ai.request.top_p',
  GEN_AI_REQUEST_TOP_K: 'gen_ai.request.top_k',
  GEN_AI_REQUEST_STOP_SEQUENCES: 'gen_ai.request.stop_sequences',
  GEN_AI_REQUEST_SEED: 'gen_ai.request.seed',
  GEN_AI_REQUEST_FREQUENCY_PENALTY: 'gen_ai.request.frequency_penalty',
  GEN_AI_REQUEST_PRESENCE_PENALTY: 'gen_ai.request.presence_penalty',
  GEN_AI_REQUEST_STREAM: 'gen_ai.request.stream',
  GEN_AI_REQUEST_ENCODING_FORMATS: 'gen_ai.request.encoding_formats',
  GEN_AI_RESPONSE_MODEL: 'gen_ai.response.model',
  GEN_AI_RESPONSE_ID: 'gen_ai.response.id',
  GEN_AI_RESPONSE_FINISH_REASONS: 'gen_ai.response.finish_reasons',
  GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  GEN_AI_USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  GEN_AI_USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: 'gen_ai.usage.reasoning.output_tokens',
  GEN_AI_INPUT_MESSAGES: 'gen_ai.input.messages',
  GEN_AI_OUTPUT_MESSAGES: 'gen_ai.output.messages',
  GEN_AI_SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  GEN_AI_TOOL_DEFINITIONS: 'gen_ai.tool.definitions',
  GEN_AI_EMBEDDINGS_INPUT_COUNT: 'gen_ai.embeddings.input_count',
  GEN_AI_EMBEDDINGS_DIMENSION_COUNT: 'gen_ai.embeddings.dimension.count',
  GEN_AI_TOOL_NAME: 'gen_ai.tool.name',
  GEN_AI_TOOL_CALL_ID: 'gen_ai.tool.call.id',
  GEN_AI_TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  GEN_AI_TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
} as const;

/**
 * Prefix of the root's flattened metadata, `basalt.meta.<key>` with the value's native type, as the
 * JS SDK sends it (next to the JSON `basalt.metadata`; docs/wire-format.md).
 */
export const METADATA_PREFIX = 'basalt.meta.';

/** Kinds of Basalt child spans (SPEC §2). */
export type ObserveKind = 'span' | 'generation' | 'retrieval' | 'function' | 'tool' | 'event';

export const OBSERVE_KINDS: readonly ObserveKind[] = ['span', 'generation', 'retrieval', 'function', 'tool', 'event'];

/** `basalt.span.kind` of a root span. */
export const ROOT_KIND = 'basalt_trace';
