import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasaltContextManager } from './active-context.js';
import { newStorageContextManager } from './storage-context-edge.js';

// The edge build's `context-manager.ts` (tsup.config.ts swaps it in): `BasaltContextManager` over
// the runtime's AsyncLocalStorage (`storage-context-edge.ts`), or none where the runtime has none.

/**
 * Installs a context manager over the runtime's AsyncLocalStorage, unless the app registered one.
 * Returns false when the runtime has no AsyncLocalStorage (a Worker without nodejs_compat): spans
 * then nest only through explicit parents, and the caller says so once.
 */
export function installContextManager(): boolean {
  const inner = newStorageContextManager();
  if (!inner) return hasRegisteredManager();
  const manager = new BasaltContextManager(inner).enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  return true;
}

/** Whether the app registered a context manager of its own (a probe value survives `with`). */
function hasRegisteredManager(): boolean {
  const probe = ROOT_CONTEXT.setValue(Symbol('basalt-observe.context-probe'), true);
  return context.with(probe, () => context.active() === probe);
}
