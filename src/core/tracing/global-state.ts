import { SDK_VERSION } from '../constants.js';

/**
 * The process-wide slot (one per process, shared by the ESM and CJS copies of the package and by
 * two installed copies): keyed by `Symbol.for` on `globalThis`, like OpenTelemetry's own API
 * globals. Never a module-level `let`, which each copy would have on its own.
 */
export interface BasaltGlobal {
  /** Version of the copy that created the slot. */
  version: string;
  /** The tracing runtime, created on the first span. */
  runtime?: unknown;
  /** The telemetry config of the first client, and the logger it asked for. */
  settings?: unknown;
  /** The client behind the module-level `startObserve`/`observe`. */
  client?: unknown;
  /** `BasaltSpanProcessor`s an app added to a TracerProvider of its own. */
  externalProcessors: Set<unknown>;
}

const SLOT = Symbol.for('basalt-observe.global');

export function basaltGlobal(): BasaltGlobal {
  const holder = globalThis as { [SLOT]?: BasaltGlobal };
  holder[SLOT] ??= { version: SDK_VERSION, externalProcessors: new Set() };
  return holder[SLOT];
}

/** Forgets the process-wide state. For tests only. @internal */
export function resetBasaltGlobal(): void {
  delete (globalThis as { [SLOT]?: BasaltGlobal })[SLOT];
}
