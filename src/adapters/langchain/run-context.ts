import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import type { Context } from '@opentelemetry/api';
import { asyncLocalStorageClass, isRecord, registerActiveContextResolver, safely } from '../../core/integration.js';

/**
 * How `BasaltContextManager` asks a handler for the context of one of its runs: a method under this
 * key (`Symbol.for`, so handlers of both builds and both LangChain majors answer).
 */
export const RUN_CONTEXT: unique symbol = Symbol.for('basalt-observe.langchain.run-context');

/** The method a handler exposes under `RUN_CONTEXT`. */
export type RunContextLookup = (runId: string, base: Context) => Context | undefined;

/**
 * The context of the LangChain run whose body is executing, if one of our handlers records it.
 *
 * LangChain runs the body of a `RunnableLambda`, of a tool made with `tool()`, of a LangGraph node and
 * of a runnable's stream inside `AsyncLocalStorageProviderSingleton.runWithConfig(childConfig)`: its
 * own AsyncLocalStorage holds the run's child config, whose callback manager names the run
 * (`getParentRunId()`) and holds the handlers. That store is per async chain, as LangChain's config
 * propagation relies on, so concurrent invokes never see each other's run. Read only: nothing is
 * entered or changed (docs/langchain.md, "Runs as the active context").
 */
export function langChainRunContext(base: Context): Context | undefined {
  const config = AsyncLocalStorageProviderSingleton.getRunnableConfig();
  if (config === undefined) return undefined;
  const callbacks: unknown = config.callbacks;
  if (!isRecord(callbacks) || typeof callbacks.getParentRunId !== 'function') return undefined;
  const runId: unknown = callbacks.getParentRunId();
  const handlers = callbacks.handlers;
  if (typeof runId !== 'string' || !Array.isArray(handlers)) return undefined;
  for (const handler of handlers) {
    const lookup = isRecord(handler) ? handler[RUN_CONTEXT as unknown as string] : undefined;
    if (typeof lookup !== 'function') continue;
    const found = (lookup as RunContextLookup).call(handler, runId, base);
    if (found !== undefined) return found;
  }
  return undefined;
}

let ready = false;

/**
 * Registers `langChainRunContext` with core, and gives LangChain its AsyncLocalStorage if nothing did
 * yet: without it (`@langchain/core/context`, `@langchain/langgraph` and a few other modules install
 * it on import) LangChain keeps no run config per async chain, and no run could be found.
 */
export function enableRunContexts(): void {
  if (ready) return;
  ready = true;
  safely('langchain.run-context', () => {
    const Storage = asyncLocalStorageClass();
    // Where the runtime has none (a Worker without nodejs_compat), LangChain keeps no run config.
    if (Storage) AsyncLocalStorageProviderSingleton.initializeGlobalInstance(new Storage() as never);
    registerActiveContextResolver('langchain', langChainRunContext);
  });
}
