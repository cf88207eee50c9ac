import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { newStorageContextManager } from './storage-context.js';

/**
 * Given the context the wrapped manager holds, the context an integration knows to be the active one
 * there (the span of the framework run whose body is executing), or `undefined` to leave it as is.
 * It runs on every `context.active()` of the process: it must be cheap and never throw.
 */
export type ActiveContextResolver = (base: Context) => Context | undefined;

/** One resolver per integration, shared by every copy of the package (ESM, CJS, two installs). */
interface ResolverSlot {
  readonly byName: Map<string, ActiveContextResolver>;
  /** The same resolvers as an array: `active()` iterates it on every call. */
  list: ActiveContextResolver[];
}

const SLOT = Symbol.for('basalt-observe.active-context-resolvers');

function resolverSlot(): ResolverSlot {
  const holder = globalThis as { [SLOT]?: ResolverSlot };
  holder[SLOT] ??= { byName: new Map(), list: [] };
  return holder[SLOT];
}

/**
 * Registers the resolver of an integration (one per `name`: registering again replaces it), which
 * `BasaltContextManager` consults. An integration whose framework keeps its own async-local record
 * of the run being executed (LangChain's run config) uses it to make that run's span active.
 */
export function registerActiveContextResolver(name: string, resolver: ActiveContextResolver): void {
  const slot = resolverSlot();
  if (slot.byName.get(name) === resolver) return;
  slot.byName.set(name, resolver);
  slot.list = [...slot.byName.values()];
}

/** Whether an integration registered its resolver (`'langchain'`: a `BasaltCallbackHandler` exists). */
export function hasActiveContextResolver(name: string): boolean {
  return resolverSlot().byName.has(name);
}

/**
 * Whether the process-wide context manager consults the resolvers, i.e. is a `BasaltContextManager`
 * (of any copy of the package): one `context.active()` with a probe as the only resolver. Synchronous,
 * so nothing else runs while the probe is in place. For the diagnosis, not the hot path.
 */
export function resolversConsulted(): boolean {
  const slot = resolverSlot();
  const saved = slot.list;
  let consulted = false;
  slot.list = [
    () => {
      consulted = true;
      return undefined;
    },
  ];
  try {
    context.active();
  } finally {
    slot.list = saved;
  }
  return consulted;
}

/**
 * An OpenTelemetry `ContextManager` that wraps another (by default an AsyncLocalStorage one) and lets
 * an integration say which context is really active: inside the body of a LangChain run (a tool, a
 * `RunnableLambda`, a LangGraph node), `context.active()` is that run's span, so the spans other
 * instrumentations start there (an HTTP client call, a database query) nest under it. Everywhere
 * else it answers exactly what the wrapped manager does. Basalt installs it when it creates the
 * TracerProvider; an app that owns its provider passes it to its SDK.
 *
 * @param inner The manager that holds the contexts; default OpenTelemetry's AsyncLocalStorage one
 *   (on edge runtimes, one over the runtime's AsyncLocalStorage).
 * @example
 * new NodeSDK({ contextManager: new BasaltContextManager(), spanProcessors: [new BasaltSpanProcessor()] }).start();
 * @see docs/langchain.md, "Runs as the active context"
 */
export class BasaltContextManager implements ContextManager {
  readonly #inner: ContextManager;

  constructor(inner: ContextManager | undefined = newStorageContextManager()) {
    this.#inner = inner ?? NO_CONTEXT;
  }

  active(): Context {
    const base = this.#inner.active();
    const { list } = resolverSlot();
    for (let i = 0; i < list.length; i++) {
      let resolved: Context | undefined;
      try {
        resolved = (list[i] as ActiveContextResolver)(base);
      } catch {
        // A resolver never breaks context propagation (§10): the wrapped manager's answer stands.
      }
      if (resolved !== undefined) return resolved;
    }
    return base;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#inner.with(context, fn, thisArg, ...args);
  }

  bind<T>(context: Context, target: T): T {
    return this.#inner.bind(context, target);
  }

  enable(): this {
    this.#inner.enable();
    return this;
  }

  disable(): this {
    this.#inner.disable();
    return this;
  }
}

/** Where the runtime has no AsyncLocalStorage (a Worker without nodejs_compat): nothing is ever active. */
const NO_CONTEXT: ContextManager = {
  active: () => ROOT_CONTEXT,
  with: (_context, fn, thisArg, ...args) => fn.apply(thisArg, args),
  bind: (_context, target) => target,
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};
