import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

// Where the runtime's AsyncLocalStorage comes from: `node:async_hooks` on Node, Bun and Deno. The
// edge build swaps in `storage-context-edge.ts`, which finds it without importing anything.

/** The runtime's AsyncLocalStorage class (always there on Node). */
export function asyncLocalStorageClass(): typeof AsyncLocalStorage | undefined {
  return AsyncLocalStorage;
}

/** OpenTelemetry's AsyncLocalStorage context manager, not enabled yet. */
export function newStorageContextManager(): ContextManager | undefined {
  return new AsyncLocalStorageContextManager();
}
