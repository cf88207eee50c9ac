import { context } from '@opentelemetry/api';
import { BasaltContextManager } from './active-context.js';

/**
 * Installs `BasaltContextManager` over OpenTelemetry's AsyncLocalStorage context manager, unless the
 * app registered a context manager already. Returns whether a context manager is registered
 * afterwards (always, on Node). The edge build swaps in `context-manager-edge.ts` (tsup.config.ts).
 */
export function installContextManager(): boolean {
  const manager = new BasaltContextManager();
  manager.enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  return true;
}
