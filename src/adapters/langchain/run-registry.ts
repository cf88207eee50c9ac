import type { Context } from '@opentelemetry/api';
import { logOnce, type Operation, safely } from '../../core/integration.js';
import { conflicting } from './metadata-match.js';

/** What the handler remembers about a LangChain run between its start and its end. */
export interface RunEntry {
  readonly runId: string;
  /** The run's operation; `undefined` for a hidden run (`langsmith:hidden`), which only passes its parent on. */
  readonly op: Operation | undefined;
  /** The context the run's children are started in. */
  readonly context: Context;
  /** The OpenTelemetry context active where the run started: its body runs in it (`runContext`). */
  readonly callerContext: Context;
  /** The run's LangChain metadata. Children inherit it: it tells apart two open runs given one run id. */
  readonly metadata: unknown;
  /** The entry of the run's parent, if the parent was open here when the run started. */
  readonly parent: RunEntry | undefined;
  /** The open runs of its top-level run, itself included. */
  readonly group: RunGroup;
  /** Child runs started and not yet ended. */
  openChildren: number;
  /** Set once another open run had its id: which of them a body belongs to is then unknowable. */
  shared: boolean;
}

/** What a run's start gives `RunRegistry.add`. */
type NewRun = Pick<RunEntry, 'op' | 'context' | 'metadata' | 'callerContext'>;

/** The open runs of one top-level run (one trace): ended together when abandoned, children first. */
interface RunGroup {
  /** In start order, so a parent comes before its children. */
  readonly runs: Set<RunEntry>;
  /** `performance.now()` at the last callback of any of its runs. */
  lastActivity: number;
}

export interface RunLimits {
  /** Past it, the least recently active group is abandoned. `Infinity`: no bound. */
  maxOpenRuns: number;
  /** A group without a callback for this long is abandoned. `Infinity`: never. */
  idleTimeoutMs: number;
}

/** Default bound on open runs: see `RunRegistry`. */
export const DEFAULT_MAX_OPEN_RUNS = 10_000;
/** Default idle timeout: see `RunRegistry`. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Open runs keyed by LangChain run id (the shape of LangChain's own `BaseTracer` run map): every start
 * adds, every end and every error `take`s, so a run that ended holds nothing. An entry points at its
 * parent and its group, never at its children.
 *
 * A run id is unique per run unless the caller passes one (`invoke(input, { runId })`): two
 * concurrent invokes given the same `runId` have two open top-level runs under one id. Neither
 * replaces the other; a child is given the one whose metadata it inherited (LangChain copies the run
 * config's metadata down to every child), an end the one with no child left open
 * (docs/langchain.md, "Run ids given by the caller").
 *
 * LangChain never ends the runs of a stream the consumer abandoned (`break` out of `for await`).
 * Those runs are abandoned (their operations end, marked cancelled) a whole group at a time, children
 * before their top-level run, so no span is exported without its root: when the group had no callback
 * for `idleTimeoutMs` (one unref'd timer per registry, armed only while runs are open), when more than
 * `maxOpenRuns` are open (the least recently active group), and through `abandonAll` (the handler was
 * garbage-collected). docs/langchain.md, "Abandoned runs".
 */
export class RunRegistry {
  /** Usually one entry per id; several only while runs given one id by the caller overlap. */
  readonly #runs = new Map<string, RunEntry[]>();
  /** Groups with open runs, in the order they started (`lastActivity` says which is least recent). */
  readonly #groups = new Set<RunGroup>();
  readonly #limits: RunLimits;
  #size = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limits: RunLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * The open run a child started with `parentRunId` and `metadata` belongs to, once there is room for
   * the child: past `maxOpenRuns`, the least recently active groups are abandoned, the parent's last.
   */
  reserve(parentRunId: string | undefined, metadata: unknown): RunEntry | undefined {
    const parent = this.#parentOf(parentRunId, metadata);
    if (parent) this.#touch(parent.group);
    while (this.#size >= this.#limits.maxOpenRuns) {
      const lru = leastRecent(this.#groups);
      if (!lru) break;
      this.#abandon(lru);
      logOnce(
        'langchain.evicted',
        'warn',
        `More than ${this.#limits.maxOpenRuns} LangChain runs were open at once: the least recently active traces are ended as cancelled (LangChain never ends the runs of a stream abandoned before its end).`,
      );
    }
    return parent?.group.runs.has(parent) ? parent : undefined;
  }

  /** Registers a started run under `parent` (from `reserve`), or as a top-level run of a new group. */
  add(runId: string, parent: RunEntry | undefined, run: NewRun): void {
    const group = parent?.group ?? { runs: new Set<RunEntry>(), lastActivity: 0 };
    const open = this.#runs.get(runId);
    const entry: RunEntry = {
      runId,
      op: run.op,
      context: run.context,
      callerContext: run.callerContext,
      metadata: run.metadata,
      parent,
      group,
      openChildren: 0,
      shared: open !== undefined,
    };
    if (open) {
      for (const other of open) other.shared = true;
      open.push(entry);
      logOnce(
        'langchain.run-id-reused',
        'warn',
        `BasaltCallbackHandler: a LangChain run started with the runId ${JSON.stringify(runId)} of a run still open (two invokes given one runId). Both are recorded and both end, but their child runs are told apart only by their metadata: pass a unique runId per invoke, or none.`,
      );
    } else {
      this.#runs.set(runId, [entry]);
    }
    group.runs.add(entry);
    if (parent) {
      // `reserve` touched the parent's group already.
      parent.openChildren++;
    } else {
      this.#groups.add(group);
      this.#touch(group);
    }
    this.#size++;
    if (this.#timer === undefined) this.#arm(this.#limits.idleTimeoutMs);
  }

  /** The open run a callback (a streamed token, an agent event) is for. */
  get(runId: string): RunEntry | undefined {
    const open = this.#runs.get(runId);
    const entry = open && ending(open);
    if (entry) this.#touch(entry.group);
    return entry;
  }

  /** The run open under `runId` if no other run had its id while it was open; not a callback (no activity). */
  unshared(runId: string): RunEntry | undefined {
    const entry = this.#runs.get(runId)?.[0];
    return entry?.shared === false ? entry : undefined;
  }

  /** Removes the run and returns it, on its end and on its error alike. */
  take(runId: string): RunEntry | undefined {
    const entry = this.get(runId);
    if (entry) this.#remove(entry);
    return entry;
  }

  /** Abandons every open run, children first (the handler was garbage-collected). */
  abandonAll(): void {
    for (const group of [...this.#groups]) this.#abandon(group);
  }

  #parentOf(parentRunId: string | undefined, metadata: unknown): RunEntry | undefined {
    const open = parentRunId === undefined ? undefined : this.#runs.get(parentRunId);
    if (!open || open.length === 1) return open?.[0];
    // Several open runs share the id: the child's metadata holds its parent's, as LangChain passed it down.
    const inherited = open.filter((entry) => !conflicting(entry.metadata, metadata));
    return (inherited.length > 0 ? inherited : open).at(-1);
  }

  /** Marks activity: only a timestamp (the set is not reordered; `leastRecent` scans when a bound is hit). */
  #touch(group: RunGroup): void {
    group.lastActivity = performance.now();
  }

  /** Ends the group's open runs as cancelled, latest started first, so its top-level run ends last. */
  #abandon(group: RunGroup): void {
    for (const entry of [...group.runs].reverse()) {
      this.#remove(entry);
      entry.op?.abandon();
    }
  }

  #remove(entry: RunEntry): void {
    const open = this.#runs.get(entry.runId);
    const index = open?.indexOf(entry) ?? -1;
    if (!open || index < 0) return;
    if (open.length === 1) this.#runs.delete(entry.runId);
    else open.splice(index, 1);
    entry.group.runs.delete(entry);
    if (entry.group.runs.size === 0) this.#groups.delete(entry.group);
    if (entry.parent) entry.parent.openChildren--;
    this.#size--;
    // The idle timer is left to fire (it is unref'd, and finds nothing): clearing it here and arming
    // it again on the next run would cost a timer per invoke.
  }

  #arm(delayMs: number): void {
    if (!Number.isFinite(delayMs)) return;
    // The callback holds the registry, never the handler, so a dropped handler can still be collected.
    this.#timer = setTimeout(() => this.#sweep(), Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(delayMs))));
    this.#timer.unref?.();
  }

  /** Abandons the groups idle for `idleTimeoutMs`, then waits for the next one to be. */
  #sweep(): void {
    this.#timer = undefined;
    safely('langchain.idle-timeout', () => {
      const { idleTimeoutMs } = this.#limits;
      const now = performance.now();
      const idle = [...this.#groups].filter((group) => now - group.lastActivity >= idleTimeoutMs);
      for (const group of idle) this.#abandon(group);
      if (idle.length > 0) {
        logOnce(
          'langchain.idle-timeout',
          'info',
          `LangChain runs without a callback for ${idleTimeoutMs} ms were ended as cancelled: a stream abandoned before its end, or a step slower than idleTimeoutMs (raise it for those).`,
        );
      }
      const next = leastRecent(this.#groups);
      if (next && this.#timer === undefined) this.#arm(next.lastActivity + idleTimeoutMs - now);
    });
  }
}

/** The group with the oldest activity: a scan, done only when a bound is hit or the idle timer fires. */
function leastRecent(groups: Set<RunGroup>): RunGroup | undefined {
  let least: RunGroup | undefined;
  for (const group of groups) if (!least || group.lastActivity < least.lastActivity) least = group;
  return least;
}

/**
 * Of the open runs sharing an id, the one an end (or a token) is for: a run ends after its children
 * did, so the first one with no child left open; else the first started.
 */
function ending(open: RunEntry[]): RunEntry {
  return open.find((entry) => entry.openChildren === 0) ?? (open[0] as RunEntry);
}
