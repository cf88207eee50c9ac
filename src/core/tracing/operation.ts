import { type Attributes, type Context, context } from '@opentelemetry/api';
import { ATTR, type ObserveKind } from './attributes.js';
import type { BasaltSpan } from './basalt-span.js';
import { contentText } from './content.js';
import { getTraceState, type TraceState } from './context.js';
import { inertSpan, openChild, openRoot } from './observe.js';
import { currentRuntime, type TracingRuntime } from './runtime.js';
import { logOnce, reportFailure, safely } from './safely.js';
import { shared } from './shared-content.js';
import type { TraceDefaults } from './trace-values.js';

/** What an integration knows about a unit of work (a model call, a LangChain run) before it runs. */
export interface OperationRequest {
  /** Who opens it (`basaltMiddleware`, `BasaltCallbackHandler`), for log messages and guard kinds. */
  who: string;
  kind: ObserveKind;
  /** Span name (`chat gpt-4o`, `RunnableSequence`). */
  name: string;
  /**
   * The values of the root to open when no Basalt trace is active in `parent`. Without them the
   * operation only ever joins an active trace (a nested LangChain run), else records nothing.
   */
  trace?: TraceDefaults;
  /** Root name when `trace.name` is not set. Default: the feature slug. */
  rootName?: string;
  /** A `span` operation that opens the root is the root itself (a top-level LangChain chain). */
  rootIsLeaf?: boolean;
  parent?: Context; // default: the active context
  attributes?: Attributes;
  /** `basalt.span.input` (and the input of a root the operation opens). */
  input?: unknown;
  /** Content attributes written as inputs (`gen_ai.input.messages`, …). */
  content?: Record<string, unknown>;
}

/** How an operation ended. Every field is optional: an empty outcome just ends it. */
export interface OperationOutcome {
  /** An input known only at the end (a streamed LangChain run). */
  input?: unknown;
  attributes?: Attributes;
  /** Content attributes written as outputs (`gen_ai.output.messages`). */
  content?: Record<string, unknown>;
  /** `basalt.span.output`, copied onto a root the operation opened. */
  output?: unknown;
  /** Present when it failed: status ERROR, `error.type` and an `exception` event, on the root too. */
  error?: unknown;
  /** Ended before its work did (consumer cancel, abandonment): `basalt.span.cancelled`, on the root too. */
  cancelled?: boolean;
}

/** Ends operations whose target (a dropped stream) was collected (#10.1); none on Workers dated before 2025-05-05. */
const collected =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Operation>((op) => op.abandon()) : undefined;

/**
 * One unit of work of an integration, and the only code that decides root-or-child and ends spans
 * (docs/architecture.md). It owns its leaf span and, outside an active Basalt trace, the root it
 * opened; it ends both exactly once, leaf first, whichever comes first: `end`, a thrown `run`, its
 * trace's root ending, `shutdown()`, the event loop emptying, or its target being collected.
 */
export class Operation {
  /** The leaf span: `generation`, `tool`, … (or the root itself, for `rootIsLeaf`). */
  readonly span: BasaltSpan;
  /** The root this operation opened for itself, ended with it. */
  readonly root: BasaltSpan | undefined;
  /** `performance.now()` at the start. */
  readonly startedAt = performance.now();
  readonly #who: string;
  readonly #state: TraceState | undefined;
  readonly #runtime: TracingRuntime | undefined;
  #partial: (() => OperationOutcome) | undefined;
  #firstChunkAt: number | undefined;
  #done = false;

  /** @internal Made by `openOperation`. */
  constructor(who: string, span: BasaltSpan, root: BasaltSpan | undefined) {
    this.#who = who;
    this.span = span;
    this.root = root;
    if (span.otelSpan === undefined) {
      this.#done = true;
      return;
    }
    this.#state = getTraceState(span.context);
    this.#runtime = currentRuntime();
    this.#state?.track(this);
    this.#runtime?.track(this);
  }

  /** The context the operation's children start in (its leaf span active). */
  get context(): Context {
    return this.span.context;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Runs the framework's call with the leaf active, so spans it starts (HTTP) nest under it. A throw
   * ends the operation with ERROR and is rethrown as the same object; a result passes untouched.
   */
  async run<R>(call: () => PromiseLike<R> | R): Promise<R> {
    try {
      return await context.with(this.span.context, call);
    } catch (error) {
      this.end(() => ({ ...this.#partial?.(), error }));
      throw error;
    }
  }

  /**
   * Ends the leaf, then a root it opened, once. `outcome` may be a function: building it runs under
   * the guard, so a failure there is logged once and the spans still end (§10).
   */
  end(outcome?: OperationOutcome | (() => OperationOutcome)): void {
    if (this.#done) return;
    this.#done = true;
    this.#state?.untrack(this);
    this.#runtime?.untrack(this);
    collected?.unregister(this);
    try {
      const recorded = typeof outcome === 'function' ? safely(`${this.#who}.outcome`, outcome, {}) : (outcome ?? {});
      safely(`${this.#who}.record`, () => this.#record(recorded));
    } finally {
      this.span.end();
      this.root?.end();
    }
  }

  /** What the operation has seen so far, used when it is ended from outside (`abandon`). */
  onAbandon(partial: () => OperationOutcome): void {
    this.#partial = partial;
  }

  /** Ends the operation now, marked cancelled, with what `onAbandon` says it has seen. */
  abandon(): void {
    this.end(() => ({ ...this.#partial?.(), cancelled: true }));
  }

  /** Abandons the operation when `target` is garbage-collected before the operation ended. */
  endWhenCollected(target: object): void {
    if (!this.#done) collected?.register(target, this, this);
  }
  /** Notes the first streamed chunk (only the first call counts). */
  markFirstChunk(): void {
    this.#firstChunkAt ??= performance.now();
  }
  /** Seconds from the start to the first streamed chunk, if there was one. */
  get timeToFirstChunk(): number | undefined {
    return this.#firstChunkAt === undefined ? undefined : (this.#firstChunkAt - this.startedAt) / 1000;
  }

  /** Adds an event to the leaf, with content serialized (masked, truncated) as inputs and outputs are. */
  event(name: string, attributes: Attributes, content: { input?: unknown; output?: unknown } = {}): void {
    const telemetry = this.#runtime?.telemetry;
    if (this.#done || !telemetry) return;
    safely(`${this.#who}.event`, () => {
      const attrs: Attributes = { ...attributes };
      const input = contentText(telemetry, content.input, 'input', this.span.name);
      const output = contentText(telemetry, content.output, 'output', this.span.name);
      if (input !== undefined) attrs[ATTR.INPUT] = input;
      if (output !== undefined) attrs[ATTR.OUTPUT] = output;
      this.span.addEvent(name, attrs);
    });
  }

  #record(outcome: OperationOutcome): void {
    const { span, root } = this;
    if (outcome.input !== undefined) span.setInput(outcome.input);
    if (outcome.attributes) span.setAttributes(outcome.attributes);
    for (const key in outcome.content) span.setContent(key, outcome.content?.[key], 'output');
    if (outcome.output !== undefined) {
      const output = root ? shared(outcome.output) : outcome.output; // on leaf and root: serialized once (#14)
      span.setOutput(output);
      root?.setOutput(output);
    }
    if ('error' in outcome) {
      span.recordError(outcome.error);
      root?.recordError(outcome.error);
    }
    if (outcome.cancelled) {
      span.setAttribute(ATTR.CANCELLED, true);
      root?.setAttribute(ATTR.CANCELLED, true);
    }
  }
}

/**
 * Opens an operation. Inside an active Basalt trace (in `parent`): a child of it, which keeps the
 * trace's feature slug, experiment and identity. Outside, with `trace` values: the root the user did
 * not write (`startObserve`) and the leaf under it. `request` may be a function, so reading the
 * framework's data runs under the guard too. Never throws: an internal failure gives an operation
 * that records nothing, and the framework's call goes on (§10).
 */
export function openOperation(request: OperationRequest | (() => OperationRequest)): Operation {
  let who = 'operation';
  try {
    const resolved = typeof request === 'function' ? request() : request;
    who = resolved.who;
    return open(resolved);
  } catch (error) {
    reportFailure(`${who}.open`, error);
    return new Operation(who, inertSpan('operation', 'span', context.active()), undefined);
  }
}

function open(request: OperationRequest): Operation {
  const { who, kind, name, trace, attributes } = request;
  let input = request.input;
  const parent = request.parent ?? context.active();
  if (!trace || getTraceState(parent)) {
    if (trace) {
      logOnce(
        `${who}.inside-trace`,
        'debug',
        `${who}: inside an active Basalt trace, its spans are children of that trace and keep its feature slug, experiment and identity; its own are ignored there.`,
      );
    }
    const span = openChild({ name, kind, attributes, input, metadata: trace?.metadata, parent });
    return withContent(new Operation(who, span, undefined), request.content);
  }
  if (!request.rootIsLeaf) input = shared(input); // on root and leaf: serialized once (#14)
  const root = openRoot({
    name: trace.name || request.rootName,
    featureSlug: trace.featureSlug,
    experiment: trace.experiment,
    identity: trace.identity,
    metadata: trace.metadata,
    evaluators: trace.evaluators,
    evaluationConfig: trace.evaluationConfig,
    input,
    parent,
  });
  if (request.rootIsLeaf && kind === 'span') {
    if (attributes) root.setAttributes(attributes);
    return withContent(new Operation(who, root, undefined), request.content);
  }
  try {
    const span = openChild({ name, kind, attributes, input, parent: root.context });
    return withContent(new Operation(who, span, root), request.content);
  } catch (error) {
    root.end();
    throw error;
  }
}

function withContent(op: Operation, content: Record<string, unknown> | undefined): Operation {
  for (const key in content) op.span.setContent(key, content[key], 'input');
  return op;
}
