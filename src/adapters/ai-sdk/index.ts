/**
 * `basalt-observe/ai-sdk`: Basalt tracing for the Vercel AI SDK (`ai` 5, 6 and 7), as middleware
 * for `wrapLanguageModel` and `wrapEmbeddingModel` (SPEC §6), and `basaltTools` for the executions
 * of the tools of `generateText`/`streamText`.
 */
export type { BasaltCallOptions, BasaltMiddlewareOptions } from './call-options.js';
export { type BasaltEmbeddingModelMiddleware, basaltEmbeddingMiddleware } from './embedding-middleware.js';
export { type BasaltLanguageModelMiddleware, basaltMiddleware } from './middleware.js';
export { type BasaltToolsOptions, basaltTools } from './tools.js';
