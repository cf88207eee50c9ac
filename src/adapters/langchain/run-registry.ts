import type { Context } from '@opentelemetry/api';
import { isRecord, logOnce, type Operation } from '../../core/integration.js';

/** What the handler remembers about a LangChain run between its start and its end. */
export interface RunEntry {
  /** The run's operation; `undefined` for a hidden run (`langsmith:hidden`), which only passes its parent on. */
  op: Operation | undefined;
  /** The context the run's children are started in. */
  context: Context;
  /** The run's LangChain metadata. Children inherit it: it tells apart two open runs given one run id. */
  metadata: unknown;
  /** The entry of the run's parent, if the parent was open here when the run started. */
  parent: RunEntry | undefined;
  /** Child runs started and not yet ended. */
  openChildren: number;
}

/** Default bound on open runs: see `RunRegistry`. */
export const DEFAULT_MAX_OPEN_RUNS = 10_000;

/**
 * Open runs keyed by LangChain run id (the shape of LangChain's own `BaseTracer` run map): every start
 * adds, every end and every error `take`s, so a run that ended holds nothing. Entries do not point
 * at their children, so nothing outlives its run.
 *
 * A run id is unique per run unless the caller passes one (`invoke(input, { runId })`): two
 * concurrent invokes given the same `runId` have two open top-level runs under one id. Neither
 * replaces the other; a child is given the one whose metadata it inherited (LangChain copies the run
 * config's metadata down to every child), an end the one with no child left open
 * (docs/langchain.md, "Run ids given by the caller").
 *
 * LangChain never ends the runs of a stream the consumer abandoned (`break` out of `for await`): those
 * entries would stay forever. The registry is bounded: past `maxOpenRuns`, the oldest open run is
 * handed to `onEvict` (which ends its span) and forgotten.
 */
export class RunRegistry {
  /** Usually one entry per id; several only while runs given one id by the caller overlap. */
  readonly #runs = new Map<string, RunEntry[]>();
  readonly #maxOpenRuns: number;
  readonly #onEvict: (entry: RunEntry) => void;
  #size = 0;

  constructor(maxOpenRuns: number, onEvict: (entry: RunEntry) => void) {
    this.#maxOpenRuns = Math.max(1, Math.floor(maxOpenRuns));
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#size;
  }

  add(runId: string, entry: RunEntry): void {
    while (this.#size >= this.#maxOpenRuns) {
      const [oldestId, oldest] = this.#runs.entries().next().value as [string, RunEntry[]];
      const evicted = oldest[0] as RunEntry;
      this.#remove(oldestId, oldest, evicted);
      this.#onEvict(evicted);
    }
    const open = this.#runs.get(runId);
    if (open) {
      open.push(entry);
      logOnce(
        'langchain.run-id-reused',
        'warn',
        `BasaltCallbackHandler: a LangChain run started with the runId ${JSON.stringify(runId)} of a run still open (two invokes given one runId). Both are recorded and both end, but their child runs are told apart only by their metadata: pass a unique runId per invoke, or none.`,
      );
    } else {
      this.#runs.set(runId, [entry]);
    }
    if (entry.parent) entry.parent.openChildren++;
    this.#size++;
  }

  /** The open run a child started with `parentRunId` and `metadata` belongs to. */
  parentOf(parentRunId: string | undefined, metadata: unknown): RunEntry | undefined {
    const open = parentRunId === undefined ? undefined : this.#runs.get(parentRunId);
    if (!open || open.length === 1) return open?.[0];
    // Several open runs share the id: the child's metadata holds its parent's, as LangChain passed it down.
    const inherited = open.filter((entry) => !conflicting(entry.metadata, metadata));
    return (inherited.length > 0 ? inherited : open).at(-1);
  }

  get(runId: string): RunEntry | undefined {
    const open = this.#runs.get(runId);
    return open && ending(open);
  }

  /** Removes the run and returns it: the only way an entry leaves, on end and on error alike. */
  take(runId: string): RunEntry | undefined {
    const open = this.#runs.get(runId);
    if (!open) return undefined;
    const entry = ending(open);
    this.#remove(runId, open, entry);
    return entry;
  }

  #remove(runId: string, open: RunEntry[], entry: RunEntry): void {
    if (open.length === 1) this.#runs.delete(runId);
    else open.splice(open.indexOf(entry), 1);
    if (entry.parent) entry.parent.openChildren--;
    this.#size--;
  }
}

/**
 * Of the open runs sharing an id, the one an end (or a token) is for: a run ends after its children
 * did, so the first one with no child left open; else the first started.
 */
function ending(open: RunEntry[]): RunEntry {
  return open.find((entry) => entry.openChildren === 0) ?? (open[0] as RunEntry);
}

/** Whether `child` metadata cannot have been inherited from `parent`: a key of both with another value. */
function conflicting(parent: unknown, child: unknown): boolean {
  if (!isRecord(parent) || !isRecord(child)) return false;
  return Object.keys(parent).some((key) => key in child && !sameValue(parent[key], child[key]));
}

/** LangChain passes metadata values down as they are; a copy (same JSON) counts as the same value. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
