import { SDK_VERSION } from '../constants.js';

/**
 * The process-wide slot (one per process, shared by the ESM and CJS builds and by two installed
 * copies): keyed by `Symbol.for` on `globalThis`, like OpenTelemetry's own API globals. Never a
 * module-level `let`, which each copy would have on its own.
 *
 * It holds objects, never settings: the API key stays inside the runtime's private fields (#10.15).
 */
export interface BasaltGlobal {
  /** Version of the copy that created the slot. */
  readonly version: string;
  /** The tracing runtime (`runtime.ts`): created by the first `new Basalt()`, or by the first recorded span. */
  runtime?: unknown;
  /** Kinds of one-per-process warnings already given (a second client's differing config). */
  readonly warned: Set<string>;
}

const SLOT = Symbol.for('basalt-observe.global');

/** A slot of this copy alone, for when the process-wide one belongs to an incompatible version. */
let privateSlot: BasaltGlobal | undefined;
/** The shared slot last found compatible: the check runs once per slot, not on every call. */
let compatible: BasaltGlobal | undefined;

/**
 * The slot this copy uses. As OpenTelemetry's `registerGlobal`/`getGlobal` do, a slot made by a copy
 * of another major version (another minor before 1.0) is not shared: its runtime's methods may not
 * be ours. This copy then keeps a slot of its own and says so once.
 */
export function basaltGlobal(): BasaltGlobal {
  const holder = globalThis as { [SLOT]?: BasaltGlobal };
  holder[SLOT] ??= newSlot();
  const shared = holder[SLOT];
  if (shared === compatible) return shared;
  if (isCompatible(shared.version, SDK_VERSION)) {
    compatible = shared;
    return shared;
  }
  if (!privateSlot) {
    privateSlot = newSlot();
    console.warn(
      `[basalt] basalt-observe ${SDK_VERSION} found version ${shared.version} already loaded in this process; the two keep separate tracing. Install one version.`,
    );
  }
  return privateSlot;
}

function newSlot(): BasaltGlobal {
  return { version: SDK_VERSION, warned: new Set() };
}

/** Same major (same minor while the major is 0), as OpenTelemetry's semver check for globals. */
export function isCompatible(a: string, b: string): boolean {
  const [aMajor, aMinor] = a.split('.');
  const [bMajor, bMinor] = b.split('.');
  if (aMajor !== bMajor) return false;
  return aMajor !== '0' || aMinor === bMinor;
}

/** Forgets the process-wide state. For tests only. @internal */
export function resetBasaltGlobal(): void {
  delete (globalThis as { [SLOT]?: BasaltGlobal })[SLOT];
  privateSlot = undefined;
  compatible = undefined;
}
