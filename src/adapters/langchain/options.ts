import {
  BasaltConfigError,
  checkTraceDefaults,
  describeValue,
  type Experiment,
  type ExperimentRef,
  type Identity,
  isRecord,
  mergeTraceValues,
  readTraceValues,
  type TraceDefaults,
} from '../../core/integration.js';

/** Options of `new BasaltCallbackHandler(...)`: the values of the roots the handler opens. */
export interface BasaltCallbackHandlerOptions {
  /** The product feature of the traces (`"support"`). Required. */
  featureSlug: string;
  /** The experiment from `experiments.create`, or its id. */
  experiment?: Experiment | ExperimentRef | string;
  /** The end user and organization the traces serve. */
  identity?: Identity;
  /** Free-form metadata of the root (`basalt.metadata`). */
  metadata?: Record<string, unknown>;
  /** Name of the root span. Default: the name of the top-level run (`RunnableSequence`, `LangGraph`). */
  name?: string;
  /** Slugs of Basalt evaluators to run on the traces. */
  evaluators?: string[];
  /** `sampleRate` in [0, 1] overrides the client's for these traces. */
  evaluationConfig?: { sampleRate?: number };
  /**
   * Bound on runs open at once. LangChain never ends the runs of a stream abandoned by its consumer;
   * past this bound the open runs of the least recently active trace are ended (marked cancelled,
   * children first) and forgotten. A positive integer, or `Infinity` for no bound. Default 10,000.
   */
  maxOpenRuns?: number;
  /**
   * A trace whose runs had no callback for this long is ended (its open runs marked cancelled,
   * children first) and forgotten: the runs of a stream abandoned by its consumer, which LangChain
   * never ends. Keep it above the longest silent step of a run (a slow tool). Milliseconds, a
   * positive number, or `Infinity` for never. Default 300,000 (5 minutes).
   */
  idleTimeoutMs?: number;
}

/**
 * Per-invoke values, read from the run config's `metadata.basalt`; each one given overrides the
 * handler's (identity field by field).
 * @example
 * await chain.invoke(input, { callbacks: [handler], metadata: { basalt: { identity: { user: { id: req.userId } } } } });
 */
export interface BasaltInvokeMetadata {
  featureSlug?: string;
  experiment?: Experiment | ExperimentRef | string;
  identity?: Identity;
  metadata?: Record<string, unknown>;
  name?: string;
}

/** Checks the handler's options once, at construction, as `startObserve` does. */
export function checkOptions(options: BasaltCallbackHandlerOptions): BasaltCallbackHandlerOptions {
  const checked = checkTraceDefaults(options, 'BasaltCallbackHandler');
  checkLimit('maxOpenRuns', checked.maxOpenRuns, 'integer');
  checkLimit('idleTimeoutMs', checked.idleTimeoutMs, 'number');
  return checked;
}

/** A limit is left out (the default), a positive integer or number, or `Infinity` (no limit). */
function checkLimit(name: string, value: unknown, kind: 'integer' | 'number'): void {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return;
  if (
    typeof value === 'number' &&
    value > 0 &&
    (kind === 'number' ? Number.isFinite(value) : Number.isInteger(value))
  ) {
    return;
  }
  throw new BasaltConfigError(
    `BasaltCallbackHandler: ${name} must be a positive ${kind} or Infinity; got ${describeValue(value)}`,
  );
}

/** The root values of a top-level run: the handler's, overridden by the run config's `metadata.basalt`. */
export function traceDefaults(handler: BasaltCallbackHandlerOptions, runMetadata: unknown): TraceDefaults {
  return mergeTraceValues(handler, readTraceValues(isRecord(runMetadata) ? runMetadata.basalt : undefined));
}
