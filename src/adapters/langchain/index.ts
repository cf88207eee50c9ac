/**
 * `basalt-observe/langchain`: a LangChain.js callback handler that records chains, models, tools,
 * retrievers and LangGraph graphs as Basalt spans (SPEC §7). `@langchain/core` 0.3 or 1.x is a peer.
 */
export { BasaltCallbackHandler } from './callback-handler.js';
export type { BasaltCallbackHandlerOptions, BasaltInvokeMetadata } from './options.js';
