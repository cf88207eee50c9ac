import { type Attributes, type Context, context, SpanKind, trace } from '@opentelemetry/api';
import { requireFeatureSlug } from '../config.js';
import { BasaltConfigError } from '../errors.js';
import { ATTR, OBSERVE_KINDS, type ObserveKind, ROOT_KIND } from './attributes.js';
import { BasaltSpan, isBasaltSpan } from './basalt-span.js';
import { evaluationConfigText } from './content.js';
import { getSpanHandle, getTraceState, type Identity, setTraceState, TraceState } from './context.js';
import type { ObserveOptions, StartObserveOptions } from './observe-options.js';
import { runInSpan } from './run-in-span.js';
import { ensureRuntime, packageLogger, type TracingRuntime } from './runtime.js';
import { sanitizeAttributes, spanName } from './sanitize.js';
import { checkEvaluationConfig, checkEvaluators, checkExperiment, checkIdentity } from './trace-options.js';

export type { ObserveOptions, StartObserveOptions } from './observe-options.js';

/**
 * Opens a Basalt root span (a new trace, or a child of an active non-Basalt span such as an HTTP
 * server span). Inside an active Basalt trace it becomes a child span of that trace instead.
 * @internal The public forms are `startObserve` and `Basalt#startObserve`.
 */
export function openRoot(options: StartObserveOptions): BasaltSpan {
  const who = 'startObserve';
  const featureSlug = requireFeatureSlug(options?.featureSlug, who);
  const rate = checkEvaluationConfig(options.evaluationConfig, who);
  const evaluators = checkEvaluators(options.evaluators, who);
  const identity = checkIdentity(options.identity, who);
  const experiment = checkExperiment(options.experiment, who);
  const name = spanName(options.name, featureSlug);
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

  const ignored = experiment?.featureSlug !== undefined && experiment.featureSlug !== featureSlug;
  if (ignored) {
    runtime.logger.once(
      `experiment-mismatch:${experiment.id}:${featureSlug}`,
      'warn',
      `Experiment ${experiment.id} belongs to feature "${experiment.featureSlug}" but the trace's feature slug is "${featureSlug}": Basalt ignores the experiment on this trace, which is evaluated by the sample rate like any trace outside an experiment.`,
    );
  }
  // The rate that decided `should_evaluate` is written whether or not the trace set its own (docs/wire-format.md).
  const sampleRate = rate ?? runtime.telemetry.sampleRate;
  const state = new TraceState({
    featureSlug,
    experiment,
    identity,
    sampleRate,
    // An experiment makes its traces evaluated, but not one Basalt ignores (docs/decisions.md, #11).
    shouldEvaluate: (experiment !== undefined && !ignored) || (sampleRate > 0 && Math.random() < sampleRate),
  });
  const attributes: Attributes = {
    [ATTR.ROOT]: true,
    [ATTR.SPAN_KIND]: ROOT_KIND,
    [ATTR.EVALUATION_CONFIG]: evaluationConfigText(sampleRate),
  };
  if (evaluators?.length) attributes[ATTR.EVALUATORS] = evaluators;
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
  const name = spanName(options.name, kind);
  const parent = isBasaltSpan(options.parent) ? options.parent.context : (options.parent ?? context.active());
  const state = getTraceState(parent);
  if (!state) {
    packageLogger().once(
      'observe-outside-trace',
      'debug',
      `observe("${name}") ran outside any startObserve root: no span was recorded.`,
    );
    return inertSpan(name, kind, parent);
  }
  const runtime = ensureRuntime();
  const tracer = runtime.tracer();
  if (!tracer) return inertSpan(name, kind, parent);
  // sanitizeAttributes returns a fresh object: the span's own keys go straight into it.
  const attributes = sanitizeAttributes(options.attributes);
  attributes[ATTR.TRACE] = true;
  attributes[ATTR.SPAN_KIND] = kind;
  const spanKind = kind === 'generation' ? SpanKind.CLIENT : SpanKind.INTERNAL;
  const span = tracer.startSpan(name, { kind: spanKind, attributes }, parent);
  return handleFor(name, kind, span, parent, state, runtime, options);
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
