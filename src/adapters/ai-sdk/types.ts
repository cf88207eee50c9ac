/**
 * Small structural types for what the adapter reads from the AI SDK. Only one `ai` is installed in
 * an app, so the adapter names no `@ai-sdk/provider` type: these shapes are what language-model
 * specs v2 (ai 5), v3 (ai 6) and v4 (ai 7) have in common, with `unknown` where they differ (usage,
 * finish reason, file data), which `normalize.ts` reads at run time.
 */

/** A language or embedding model as the middleware sees it. */
export interface ModelLike {
  readonly provider: string;
  readonly modelId: string;
}

/** `providerOptions` of a call: provider id → options. */
export type ProviderOptionsLike = Record<string, unknown>;

/** A prompt message: `system` has string content, the other roles an array of parts. */
export interface PromptMessageLike {
  role: string;
  content: unknown;
}

/** The call options of `doGenerate`/`doStream` (`LanguageModelV2/V3/V4CallOptions`). */
export interface LanguageCallParamsLike {
  prompt: readonly PromptMessageLike[];
  maxOutputTokens?: number;
  temperature?: number;
  stopSequences?: string[];
  topP?: number;
  topK?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  tools?: readonly unknown[];
  providerOptions?: ProviderOptionsLike;
}

/** The call options of `doEmbed` (`EmbeddingModelV3/V4CallOptions`). */
export interface EmbeddingCallParamsLike {
  values: readonly unknown[];
  dimensions?: number;
  providerOptions?: ProviderOptionsLike;
}

/** What `doGenerate` resolves to, read loosely: each field is checked at run time. */
export interface GenerateResultLike {
  content?: unknown;
  finishReason?: unknown;
  usage?: unknown;
  response?: unknown;
}

/** What `doStream` resolves to: the stream, plus request/response metadata passed through untouched. */
export interface StreamResultLike {
  stream: ReadableStream<unknown>;
}

/** What `doEmbed` resolves to. */
export interface EmbedResultLike {
  embeddings?: readonly unknown[];
  usage?: unknown;
}
