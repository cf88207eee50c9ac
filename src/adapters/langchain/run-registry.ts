import type { Context } from '@opentelemetry/api';
import type { Operation } from '../../core/integration.js';

/** What the handler remembers about a LangChain run between its start and its end. */
export interface RunEntry {
  /** The run's operation; `undefined` for a hidden run (`langsmith:hidden`), which only passes its parent on. */
  op: Operation | undefined;
  /** The context the run's children are started in. */
  context: Context;
}

/** Default bound on open runs: see `RunRegistry`. */
export const DEFAULT_MAX_OPEN_RUNS = 10_000;

/**
 * Open runs keyed by LangChain run id (the shape of LangChain's own `BaseTracer` run map): every start
 * `set`s, every end and every error `take`s, so a run that ended holds nothing. Entries do not point
 * at their children, so nothing outlives its run.
 *
 * LangChain never ends the runs of a stream the consumer abandoned (`break` out of `for await`): those
 * entries would stay forever. The registry is bounded: past `maxOpenRuns`, the oldest open run is
 * handed to `onEvict` (which ends its span) and forgotten.
 */
export class RunRegistry {
  readonly #runs = new Map<string, RunEntry>();
  readonly #maxOpenRuns: number;
  readonly #onEvict: (entry: RunEntry) => void;

  constructor(maxOpenRuns: number, onEvict: (entry: RunEntry) => void) {
    this.#maxOpenRuns = Math.max(1, Math.floor(maxOpenRuns));
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#runs.size;
  }

  set(runId: string, entry: RunEntry): void {
    this.#runs.delete(runId);
    while (this.#runs.size >= this.#maxOpenRuns) {
      const oldest = this.#runs.keys().next().value as string;
      const evicted = this.#runs.get(oldest);
      this.#runs.delete(oldest);
      if (evicted) this.#onEvict(evicted);
    }
    this.#runs.set(runId, entry);
  }

  get(runId: string | undefined): RunEntry | undefined {
    return runId === undefined ? undefined : this.#runs.get(runId);
  }

  /** Removes the run and returns it: the only way an entry leaves, on end and on error alike. */
  take(runId: string): RunEntry | undefined {
    const entry = this.#runs.get(runId);
    if (entry) this.#runs.delete(runId);
    return entry;
  }
}
