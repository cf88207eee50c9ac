import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * Installs OpenTelemetry's AsyncLocalStorage context manager, unless the app registered a context
 * manager already. Returns whether a context manager is registered afterwards (always, on Node).
 * The edge build swaps in `context-manager-edge.ts` (tsup.config.ts).
 */
export function installContextManager(): boolean {
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  return true;
}
