import { type Attributes, type Context, createContextKey, type Span } from '@opentelemetry/api';
import { ATTR } from './attributes.js';

/** The end user a trace serves (SPEC §2). */
export interface Identity {
  user?: { id: string; name?: string };
  organization?: { id: string; name?: string };
}

/** An experiment as attached to a trace: the full object from `experiments.create`, or just its id. */
export interface ExperimentRef {
  id: string;
  name?: string;
  featureSlug?: string;
}

/** Token usage summed over the generation spans of one trace (`experiments.run` reads it per item). */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  /** Generation spans that reported usage. */
  spans: number;
}

/**
 * What a Basalt root hands down to every span of its trace (§5). Held in the OpenTelemetry context,
 * so descendants started by any instrumentation find it in `onStart`. Mutable only through
 * `setIdentity`, so `observe.identify()` inside a trace reaches the spans started after it.
 */
export class TraceState {
  readonly featureSlug: string;
  readonly experiment: ExperimentRef | undefined;
  readonly shouldEvaluate: boolean;
  /** The evaluation sample rate the trace was sampled at: its own `evaluationConfig`, else the client's. */
  readonly sampleRate: number;
  /** The root's span, so `identify()` anywhere in the trace also updates the root. */
  rootSpan: Span | undefined;
  /**
   * When set (by `experiments.run`, for its item's trace), each generation span of the trace adds its
   * usage here as it ends. Kept in process only: on the wire, usage stays on the generation spans.
   */
  usage: UsageTotals | undefined;
  /** Operations of this trace still open: they end before the root does (#10.1). */
  readonly #open = new Set<{ abandon(): void }>();
  #identity: Identity | undefined;
  #attributes: Attributes | undefined;

  constructor(init: {
    featureSlug: string;
    experiment?: ExperimentRef;
    identity?: Identity;
    shouldEvaluate: boolean;
    sampleRate: number;
  }) {
    this.featureSlug = init.featureSlug;
    this.experiment = init.experiment;
    this.shouldEvaluate = init.shouldEvaluate;
    this.sampleRate = init.sampleRate;
    this.#identity = init.identity;
  }

  get identity(): Identity | undefined {
    return this.#identity;
  }

  setIdentity(identity: Identity | undefined): void {
    this.#identity = mergeIdentity(this.#identity, identity);
    this.#attributes = undefined;
  }

  track(op: { abandon(): void }): void {
    this.#open.add(op);
  }

  untrack(op: { abandon(): void }): void {
    this.#open.delete(op);
  }

  /** Ends the trace's open operations, marked cancelled, so they are exported with the root. */
  abandonOpen(): void {
    for (const op of [...this.#open]) op.abandon();
  }

  /** The attributes every span of the trace carries, computed once per identity change. */
  attributes(): Attributes {
    if (this.#attributes) return this.#attributes;
    const attrs: Attributes = {
      [ATTR.FEATURE_SLUG]: this.featureSlug,
      [ATTR.SHOULD_EVALUATE]: this.shouldEvaluate,
      [ATTR.EVALUATION_SAMPLE_RATE]: this.sampleRate,
      [ATTR.IN_TRACE]: true,
    };
    const exp = this.experiment;
    if (exp) {
      attrs[ATTR.EXPERIMENT_ID] = exp.id;
      if (exp.name) attrs[ATTR.EXPERIMENT_NAME] = exp.name;
      if (exp.featureSlug) attrs[ATTR.EXPERIMENT_FEATURE_SLUG] = exp.featureSlug;
    }
    Object.assign(attrs, identityAttributes(this.#identity));
    this.#attributes = attrs;
    return attrs;
  }
}

export function identityAttributes(identity: Identity | undefined): Attributes {
  const attrs: Attributes = {};
  const { user, organization } = identity ?? {};
  if (user?.id !== undefined) attrs[ATTR.USER_ID] = String(user.id);
  if (user?.name !== undefined) attrs[ATTR.USER_NAME] = String(user.name);
  if (organization?.id !== undefined) attrs[ATTR.ORGANIZATION_ID] = String(organization.id);
  if (organization?.name !== undefined) attrs[ATTR.ORGANIZATION_NAME] = String(organization.name);
  return attrs;
}

/** Per-field merge: a later `{ user }` keeps the earlier `organization`. */
export function mergeIdentity(base: Identity | undefined, next: Identity | undefined): Identity | undefined {
  if (!next) return base;
  if (!base) return next;
  return { user: next.user ?? base.user, organization: next.organization ?? base.organization };
}

// createContextKey goes through Symbol.for, so ESM and CJS copies of the package share these keys.
const TRACE_STATE_KEY = createContextKey('basalt-observe.trace-state');
const SPAN_HANDLE_KEY = createContextKey('basalt-observe.span-handle');

export function getTraceState(ctx: Context): TraceState | undefined {
  return ctx.getValue(TRACE_STATE_KEY) as TraceState | undefined;
}

/** Whether a Basalt trace (a `startObserve` root, or any span under one) is active in `ctx`. */
export function inTrace(ctx: Context): boolean {
  return getTraceState(ctx) !== undefined;
}

export function setTraceState(ctx: Context, state: TraceState): Context {
  return ctx.setValue(TRACE_STATE_KEY, state);
}

export function getSpanHandle<T>(ctx: Context): T | undefined {
  return ctx.getValue(SPAN_HANDLE_KEY) as T | undefined;
}

export function setSpanHandle(ctx: Context, handle: unknown): Context {
  return ctx.setValue(SPAN_HANDLE_KEY, handle);
}
