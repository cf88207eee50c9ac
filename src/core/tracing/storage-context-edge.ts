import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

// The edge build's `storage-context.ts` (tsup.config.ts swaps it in). OpenTelemetry's
// context-async-hooks imports `async_hooks` and `events` at load, which a Worker without
// nodejs_compat does not have, so the edge build carries this small manager over whichever
// AsyncLocalStorage the runtime offers, found without any import (docs/runtimes.md).

interface Storage {
  run<R>(store: Context, fn: () => R): R;
  getStore(): Context | undefined;
}
type StorageClass = new () => Storage;

/**
 * `globalThis.AsyncLocalStorage` (Vercel Edge, edge-runtime), else `node:async_hooks` through
 * `process.getBuiltinModule` (Workers with nodejs_compat, at old and recent compatibility dates).
 * `undefined` where there is none (a Worker without nodejs_compat). No import of `node:async_hooks`,
 * not even a dynamic one: bundlers and Miniflare reject a Worker that names a module it lacks.
 */
export function findAsyncLocalStorage(): StorageClass | undefined {
  const g = globalThis as { AsyncLocalStorage?: unknown; process?: { getBuiltinModule?: (id: string) => unknown } };
  if (typeof g.AsyncLocalStorage === 'function') return g.AsyncLocalStorage as StorageClass;
  try {
    const hooks = g.process?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: unknown } | undefined;
    if (typeof hooks?.AsyncLocalStorage === 'function') return hooks.AsyncLocalStorage as StorageClass;
  } catch {
    // A runtime whose getBuiltinModule throws for a module it lacks: no context manager.
  }
  return undefined;
}

/** OpenTelemetry's `ContextManager` contract over one AsyncLocalStorage. */
export class StorageContextManager implements ContextManager {
  readonly #storage: Storage;
  #enabled = false;

  constructor(Storage: StorageClass) {
    this.#storage = new Storage();
  }

  active(): Context {
    return (this.#enabled && this.#storage.getStore()) || ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    if (!this.#enabled) return fn.apply(thisArg, args);
    return this.#storage.run(ctx, () => fn.apply(thisArg, args));
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    this.#enabled = true;
    return this;
  }

  disable(): this {
    this.#enabled = false;
    return this;
  }
}

/** The runtime's AsyncLocalStorage class, or `undefined` where there is none. */
export function asyncLocalStorageClass(): StorageClass | undefined {
  return findAsyncLocalStorage();
}

/** A context manager (not enabled) over the runtime's AsyncLocalStorage; `undefined` where there is none. */
export function newStorageContextManager(): ContextManager | undefined {
  const Storage = findAsyncLocalStorage();
  return Storage ? new StorageContextManager(Storage) : undefined;
}
