import { type Attributes, type Context, context, SpanKind, trace } from '@opentelemetry/api';
import { requireFeatureSlug, sampleRate as validSampleRate } from '../config.js';
import { BasaltConfigError } from '../errors.js';
import type { Experiment } from '../experiments.js';
import { ATTR, OBSERVE_KINDS, type ObserveKind, ROOT_KIND } from './attributes.js';
import { BasaltSpan, isBasaltSpan } from './basalt-span.js';
import {
  type ExperimentRef,
  getSpanHandle,
  getTraceState,
  type Identity,
  setTraceState,
  TraceState,
} from './context.js';
import { ensureRuntime, packageLogger, type TracingRuntime } from './runtime.js';

export interface StartObserveOptions {
  /** Name of the root span (`analyse_ticket`). Default: the feature slug. */
  name?: string;
  /** The product feature the trace belongs to. Required. */
  featureSlug: string;
  /** The experiment from `experiments.create`, or its id. Traces in an experiment are always evaluated. */
  experiment?: Experiment | ExperimentRef | string;
  /** The end user and organization the trace serves. */
  identity?: Identity;
  /** Free-form metadata, written as `basalt.metadata` (JSON). */
  metadata?: Record<string, unknown>;
  /** Slugs of Basalt evaluators to run on the trace. */
  evaluators?: string[];
  /** `sampleRate` in [0, 1] overrides the client's for this trace. */
  evaluationConfig?: { sampleRate?: number };
  /** Recorded as the root's input. */
  input?: unknown;
  /** Parent context. Default: the active one. */
  parent?: Context;
}

export interface ObserveOptions {
  name: string;
  /** Default `span`. `generation` spans are OpenTelemetry CLIENT spans. */
  kind?: ObserveKind;
  input?: unknown;
  metadata?: Record<string, unknown>;
  attributes?: Attributes;
  /** The parent span (a manual `startObserve` handle) or context. Default: the active context. */
  parent?: BasaltSpan | Context;
}

/**
 * Opens a Basalt root span (a new trace, or a child of an active non-Basalt span such as an HTTP
 * server span). Inside an active Basalt trace it becomes a child span of that trace instead.
 * @internal The public forms are `startObserve` and `Basalt#startObserve`.
 */
export function openRoot(options: StartObserveOptions): BasaltSpan {
  const featureSlug = requireFeatureSlug(options?.featureSlug, 'startObserve');
  const rate = options.evaluationConfig?.sampleRate;
  if (rate !== undefined) validSampleRate(rate, 'evaluationConfig.sampleRate');
  const name = options.name || featureSlug;
  const parent = options.parent ?? context.active();
  if (getTraceState(parent)) {
    packageLogger().once(
      'nested-root',
      'debug',
      `startObserve("${name}") inside a Basalt trace becomes a child span of that trace.`,
    );
    return openChild({ name, input: options.input, metadata: options.metadata, parent });
  }
  const runtime = ensureRuntime();
  const tracer = runtime.tracer(true);
  if (!tracer) return inertSpan(name, ROOT_KIND, parent);

  const experiment = experimentRef(options.experiment);
  if (experiment?.featureSlug && experiment.featureSlug !== featureSlug) {
    runtime.logger.once(
      `experiment-mismatch:${experiment.id}:${featureSlug}`,
      'warn',
      `Experiment ${experiment.id} belongs to feature "${experiment.featureSlug}" but the trace's feature slug is "${featureSlug}": Basalt ignores the experiment on this trace.`,
    );
  }
  const sampleRate = rate ?? runtime.telemetry.sampleRate;
  const state = new TraceState({
    featureSlug,
    experiment,
    identity: options.identity,
    shouldEvaluate: experiment !== undefined || (sampleRate > 0 && Math.random() < sampleRate),
  });
  const attributes: Attributes = { [ATTR.ROOT]: true, [ATTR.SPAN_KIND]: ROOT_KIND };
  if (options.evaluators?.length) attributes[ATTR.EVALUATORS] = options.evaluators.map(String);
  if (options.evaluationConfig) attributes[ATTR.EVALUATION_CONFIG] = JSON.stringify(options.evaluationConfig);
  const withState = setTraceState(parent, state);
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, withState);
  state.rootSpan = span;
  const handle = handleFor(name, ROOT_KIND, span, withState, state, runtime, options);
  runtime.trackRoot(handle);
  return handle;
}

/**
 * Opens a child span of the active Basalt trace. Outside any trace it opens nothing (the returned
 * handle is inert) and says so once at debug (§3).
 * @internal The public forms are `observe` and `Basalt#observe`.
 */
export function openChild(options: ObserveOptions): BasaltSpan {
  const kind = options.kind ?? 'span';
  if (!OBSERVE_KINDS.includes(kind)) {
    throw new BasaltConfigError(`observe kind must be one of ${OBSERVE_KINDS.join(', ')}; got ${JSON.stringify(kind)}`);
  }
  const parent = isBasaltSpan(options.parent) ? options.parent.context : (options.parent ?? context.active());
  const state = getTraceState(parent);
  if (!state) {
    packageLogger().once(
      'observe-outside-trace',
      'debug',
      `observe("${options.name}") ran outside any startObserve root: no span was recorded.`,
    );
    return inertSpan(options.name, kind, parent);
  }
  const runtime = ensureRuntime();
  const tracer = runtime.tracer();
  if (!tracer) return inertSpan(options.name, kind, parent);
  const attributes: Attributes = { ...options.attributes, [ATTR.TRACE]: true, [ATTR.SPAN_KIND]: kind };
  const spanKind = kind === 'generation' ? SpanKind.CLIENT : SpanKind.INTERNAL;
  const span = tracer.startSpan(options.name, { kind: spanKind, attributes }, parent);
  return handleFor(options.name, kind, span, parent, state, runtime, options);
}

function handleFor(
  name: string,
  kind: ObserveKind | typeof ROOT_KIND,
  span: NonNullable<BasaltSpan['otelSpan']>,
  parent: Context,
  state: TraceState,
  runtime: TracingRuntime,
  options: { input?: unknown; metadata?: Record<string, unknown> },
): BasaltSpan {
  const deps = { telemetry: runtime.telemetry, logger: runtime.logger, runtime };
  const handle = new BasaltSpan({ name, kind, context: trace.setSpan(parent, span), span, state, deps });
  if (options.input !== undefined) handle.setInput(options.input);
  if (options.metadata) handle.setMetadata(options.metadata);
  return handle;
}

/** A handle that records nothing (tracing off, outside a trace, or an internal failure). */
export function inertSpan(name: string, kind: ObserveKind | typeof ROOT_KIND, parent: Context): BasaltSpan {
  return new BasaltSpan({ name, kind, context: parent });
}

function experimentRef(experiment: StartObserveOptions['experiment']): ExperimentRef | undefined {
  if (experiment === undefined || experiment === null) return undefined;
  if (typeof experiment === 'string') return experiment ? { id: experiment } : undefined;
  if (typeof experiment.id !== 'string' || experiment.id === '') return undefined;
  return { id: experiment.id, name: experiment.name, featureSlug: experiment.featureSlug };
}

/**
 * Runs `fn` with `handle` active: ends the span when `fn` returns or what it returned settles, records
 * a thrown error or rejection, and returns exactly what `fn` returned (#10.17): the same Promise
 * (a subclass keeps its methods: ky's `.json()`), the same thenable, the same value.
 */
export function runInSpan<T>(handle: BasaltSpan, fn: (span: BasaltSpan) => T): T {
  let result: T;
  try {
    result = context.with(handle.context, fn, undefined, handle);
  } catch (error) {
    handle.recordError(error);
    handle.end();
    throw error;
  }
  endWhenSettled(handle, result);
  return result;
}

function endWhenSettled(handle: BasaltSpan, result: unknown): void {
  const ok = () => handle.end();
  const failed = (error: unknown) => {
    handle.recordError(error);
    handle.end();
  };
  if (result instanceof Promise) {
    // A side branch: the caller's promise is returned untouched, and its rejection stays the caller's
    // to handle (this branch handles its own).
    result.then(ok, failed);
    return;
  }
  if (!isThenable(result)) {
    handle.end();
    return;
  }
  // A thenable that is not a Promise (a query builder) may run its work on every `then`: calling it
  // here would run it twice. The span ends when the caller's `then` settles instead.
  try {
    const then = result.then;
    Object.defineProperty(result, 'then', {
      configurable: true,
      writable: true,
      value(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
        return then.call(
          result,
          (value: unknown) => {
            ok();
            return onFulfilled ? onFulfilled(value) : value;
          },
          (reason: unknown) => {
            failed(reason);
            if (onRejected) return onRejected(reason);
            throw reason;
          },
        );
      },
    });
  } catch {
    handle.end();
  }
}

function isThenable(value: unknown): value is { then: (...args: unknown[]) => unknown } {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The Basalt span active in `ctx` (the innermost `startObserve`/`observe`), if any. */
export function activeSpan(ctx: Context = context.active()): BasaltSpan | undefined {
  return getSpanHandle<BasaltSpan>(ctx);
}

/** Opens a span, turning an internal failure into an inert span (§10); a user mistake still throws. */
function openSafely(open: () => BasaltSpan, name: string, kind: ObserveKind | typeof ROOT_KIND): BasaltSpan {
  try {
    return open();
  } catch (error) {
    if (error instanceof BasaltConfigError) throw error;
    try {
      packageLogger().once('open-span', 'warn', `Could not open span "${name}": ${String(error)}`);
    } catch {
      // Nothing more to do: the user's work goes on untraced.
    }
    return inertSpan(name, kind, context.active());
  }
}

/**
 * Opens a Basalt root span with the process-wide client (see `Basalt#startObserve`).
 *
 * Callback form: runs `fn` with the span active, ends it when `fn` settles, records a thrown error
 * and rethrows it unchanged, and returns what `fn` returned. Manual form: returns the span, which you
 * end (`span.end()`, or `await using span = startObserve(...)`); pass it as `parent` to `observe`.
 *
 * @throws {BasaltConfigError} when `featureSlug` is missing or `evaluationConfig.sampleRate` is out of range.
 * @example
 * await startObserve({ name: 'analyse_ticket', featureSlug: 'support-ticket', identity }, async (span) => {
 *   span.setInput(ticket);
 *   return analyse(ticket);
 * });
 */
export function startObserve<T>(options: StartObserveOptions, fn: (span: BasaltSpan) => T): T;
export function startObserve(options: StartObserveOptions): BasaltSpan;
export function startObserve<T>(options: StartObserveOptions, fn?: (span: BasaltSpan) => T): T | BasaltSpan {
  const handle = openSafely(() => openRoot(options), options?.name ?? 'basalt_trace', ROOT_KIND);
  return fn ? runInSpan(handle, fn) : handle;
}

function observeSpan<T>(options: ObserveOptions, fn: (span: BasaltSpan) => T): T;
function observeSpan(options: ObserveOptions): BasaltSpan;
function observeSpan<T>(options: ObserveOptions, fn?: (span: BasaltSpan) => T): T | BasaltSpan {
  const handle = openSafely(() => openChild(options), options?.name ?? 'span', options?.kind ?? 'span');
  return fn ? runInSpan(handle, fn) : handle;
}

/**
 * Opens a child span of the active Basalt trace (kinds `span`, `generation`, `retrieval`,
 * `function`, `tool`, `event`). Outside any root it runs `fn` without a span. Its helpers act on the
 * innermost active Basalt span: `observe.setInput`, `setOutput`, `setMetadata`, `identify`, `current`.
 *
 * @example
 * const docs = await observe({ name: 'retrieve', kind: 'retrieval', input: query }, () => search(query));
 * observe.setOutput(answer);
 */
export const observe = Object.assign(observeSpan, {
  /** Records the input of the active Basalt span. */
  setInput(value: unknown): void {
    activeSpan()?.setInput(value);
  },
  /** Records the output of the active Basalt span. */
  setOutput(value: unknown): void {
    activeSpan()?.setOutput(value);
  },
  /** Merges metadata into the active Basalt span. */
  setMetadata(metadata: Record<string, unknown>): void {
    activeSpan()?.setMetadata(metadata);
  },
  /** Sets the identity of the active trace (root and spans started afterwards). */
  identify(identity: Identity): void {
    activeSpan()?.identify(identity);
  },
  /** The active Basalt span, if any. */
  current(): BasaltSpan | undefined {
    return activeSpan();
  },
});
