import {
  type Attributes,
  type AttributeValue,
  type Context,
  context,
  type Span,
  SpanStatusCode,
} from '@opentelemetry/api';
import type { MaskInfo, ResolvedTelemetry } from '../config.js';
import type { Logger } from '../logger.js';
import { ATTR, type ObserveKind, ROOT_KIND } from './attributes.js';
import { contentText, errorType, mergeMetadata, metadataAttributes } from './content.js';
import { type Identity, identityAttributes, setSpanHandle, type TraceState } from './context.js';
import { sanitizeAttributes, spanName } from './sanitize.js';
import { checkIdentity } from './trace-options.js';

type Field = MaskInfo['field'];

/**
 * Brand of a span handle, shared by every copy of the package (ESM and CJS builds, two installs):
 * `instanceof` would fail across copies (#10.18).
 */
const BRAND = Symbol.for('basalt-observe.span');

/** `value` is a span handle made by any copy of the package. */
export function isBasaltSpan(value: unknown): value is BasaltSpan {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

interface SpanDeps {
  telemetry: ResolvedTelemetry;
  logger: Logger;
  /** Told when a root ends (`shutdown()` waits for roots in flight). */
  runtime?: { untrackRoot(root: BasaltSpan): void };
}

/**
 * The handle of a Basalt span, given to `startObserve`/`observe` callbacks and returned by their
 * manual forms. Every method is safe to call at any time: after `end()` or on a span that is not
 * recording it does nothing, and it never throws (§10).
 */
export class BasaltSpan {
  /** @internal */
  readonly [BRAND] = true;
  /** The span's name. */
  readonly name: string;
  /** `basalt_trace` for a root, else the observe kind. */
  readonly kind: ObserveKind | typeof ROOT_KIND;
  /** The OpenTelemetry context in which this span is active (for `context.with` or `run`). */
  readonly context: Context;
  /** The underlying OpenTelemetry span, or `undefined` when tracing is off. */
  readonly otelSpan: Span | undefined;
  readonly #state: TraceState | undefined;
  readonly #deps: SpanDeps | undefined;
  #metadata: Record<string, unknown> | undefined;
  /** The `basalt.meta.<key>` keys a root has written (bounded: `FLAT_METADATA_LIMITS`). */
  readonly #flatMetadataKeys = new Set<string>();
  #ended = false;
  /** A generation's last `gen_ai.usage.*` token counts, added to its trace's `usage` at `end()`. */
  #inputTokens: unknown;
  #outputTokens: unknown;

  /** @internal Built by `startObserve`/`observe`. */
  constructor(init: {
    name: string;
    kind: ObserveKind | typeof ROOT_KIND;
    context: Context;
    span?: Span;
    state?: TraceState;
    deps?: SpanDeps;
  }) {
    this.name = init.name;
    this.kind = init.kind;
    // The handle rides in its own context, so `observe.setInput()` finds the innermost span.
    this.context = init.span ? setSpanHandle(init.context, this) : init.context;
    this.otelSpan = init.span;
    this.#state = init.state;
    this.#deps = init.deps;
    if (!init.span) this.#ended = true;
  }

  get isRoot(): boolean {
    return this.kind === ROOT_KIND;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get traceId(): string | undefined {
    return this.otelSpan?.spanContext().traceId;
  }

  get spanId(): string | undefined {
    return this.otelSpan?.spanContext().spanId;
  }

  /** Records the input (`basalt.span.input`): a string raw, anything else JSON. Honours `recordInputs` and `mask`. */
  setInput(value: unknown): this {
    return this.setContent(ATTR.INPUT, value, 'input');
  }

  /** Records the output (`basalt.span.output`). Honours `recordOutputs` and `mask`. */
  setOutput(value: unknown): this {
    return this.setContent(ATTR.OUTPUT, value, 'output');
  }

  /**
   * Merges metadata into `basalt.metadata` (JSON); on a root also into `basalt.meta.<key>` for its
   * string, number and boolean values (docs/wire-format.md). Only own enumerable keys are read, at
   * most `MAX_METADATA_KEYS` of them; a key whose getter throws is skipped (§10, #10.7). `mask` runs
   * on the merged record before either is written.
   */
  setMetadata(metadata: Record<string, unknown>): this {
    this.#guard('setMetadata', () => {
      const deps = this.#deps;
      if (this.#ended || !deps || !metadata || typeof metadata !== 'object') return;
      this.#metadata = mergeMetadata(this.#metadata, metadata);
      const flat = this.isRoot ? this.#flatMetadataKeys : undefined;
      this.otelSpan?.setAttributes(metadataAttributes(deps.telemetry, this.#metadata, this.name, flat));
    });
    return this;
  }

  /** Sets who the trace serves: on this span, on the root, and on every span started afterwards. */
  identify(identity: Identity): this {
    this.#guard('identify', () => {
      if (!this.#state) return;
      this.#state.setIdentity(checkIdentity(identity, 'identify()'));
      const attrs = identityAttributes(this.#state.identity);
      this.otelSpan?.setAttributes(attrs);
      this.#state.rootSpan?.setAttributes(attrs);
    });
    return this;
  }

  /**
   * Writes `value` serialized (string raw, else JSON; masked; truncated to `maxPayloadBytes`) under
   * `key`, unless recording of that field is off. Used for `basalt.span.input` and the GenAI content
   * attributes (`gen_ai.input.messages`, …).
   */
  setContent(key: string, value: unknown, field: Field): this {
    this.#guard('setContent', () => {
      const deps = this.#deps;
      if (this.#ended || !deps) return;
      const text = contentText(deps.telemetry, value, field, this.name);
      if (text !== undefined) this.otelSpan?.setAttribute(key, text);
    });
    return this;
  }

  /** Sets one attribute; a value OpenTelemetry cannot export is written as JSON text (§10). */
  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.#ended && value !== undefined) this.#guard('setAttribute', () => this.setAttributes({ [key]: value }));
    return this;
  }

  /** Sets attributes, sanitized (bounded, exportable) where they enter. */
  setAttributes(attributes: Attributes): this {
    if (this.#ended) return this;
    this.#guard('setAttributes', () => {
      this.otelSpan?.setAttributes(sanitizeAttributes(attributes));
      if (this.kind === 'generation' && this.#state?.usage && attributes) {
        this.#inputTokens = attributes[ATTR.GEN_AI_USAGE_INPUT_TOKENS] ?? this.#inputTokens;
        this.#outputTokens = attributes[ATTR.GEN_AI_USAGE_OUTPUT_TOKENS] ?? this.#outputTokens;
      }
    });
    return this;
  }

  addEvent(name: string, attributes?: Attributes): this {
    if (!this.#ended) {
      this.#guard('addEvent', () => this.otelSpan?.addEvent(spanName(name, 'event'), sanitizeAttributes(attributes)));
    }
    return this;
  }

  /** Marks the span failed: status ERROR, `error.type`, and an `exception` event. */
  recordError(error: unknown): this {
    this.#guard('recordError', () => {
      const span = this.otelSpan;
      if (this.#ended || !span) return;
      const err = error instanceof Error ? error : new Error(String(error));
      span.recordException(err);
      span.setAttribute(ATTR.ERROR_TYPE, errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    });
    return this;
  }

  /** Ends the span; later calls do nothing. */
  end(endTime?: number | Date): void {
    if (this.#ended) return;
    // A root ends last: what is still open in its trace (an abandoned stream) ends first.
    if (this.isRoot) this.#guard('end', () => this.#state?.abandonOpen());
    this.#ended = true;
    if (this.kind === 'generation') this.#guard('end', () => this.#addUsage());
    this.#guard('end', () => this.otelSpan?.end(endTime));
    if (this.isRoot) this.#guard('end', () => this.#deps?.runtime?.untrackRoot(this));
  }

  /** Runs `fn` with this span active, so spans started inside are its children. */
  run<T>(fn: () => T): T {
    return context.with(this.context, fn);
  }

  [Symbol.dispose](): void {
    this.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
  }

  /** Adds this generation's token counts, as last set, to its trace's totals when they are kept. */
  #addUsage(): void {
    const totals = this.#state?.usage;
    const input = this.#inputTokens;
    const output = this.#outputTokens;
    if (!totals || (typeof input !== 'number' && typeof output !== 'number')) return;
    if (typeof input === 'number' && Number.isFinite(input)) totals.inputTokens += input;
    if (typeof output === 'number' && Number.isFinite(output)) totals.outputTokens += output;
    totals.spans++;
  }

  #guard(kind: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#deps?.logger.once(`span.${kind}`, 'warn', `BasaltSpan.${kind} failed and was skipped: ${String(error)}`);
    }
  }
}
