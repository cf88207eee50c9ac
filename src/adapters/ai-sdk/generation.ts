import { type Attributes, context } from '@opentelemetry/api';
import { ATTR } from '../../core/tracing/attributes.js';
import type { BasaltSpan } from '../../core/tracing/basalt-span.js';
import { getTraceState } from '../../core/tracing/context.js';
import { openChild, openRoot } from '../../core/tracing/observe.js';
import { logOnce, safely } from '../../core/tracing/safely.js';
import type { ResolvedCallOptions } from './call-options.js';

/** What a model call is, before it runs. */
export interface GenerationRequest {
  /** Span name, `chat gpt-4o` or `embeddings text-embedding-3-small`. */
  name: string;
  options: ResolvedCallOptions;
  /** GenAI request attributes (operation, provider, model, parameters). */
  attributes: Attributes;
  /** `basalt.span.input` of the generation span (and of the root, when the middleware opens it). */
  input: unknown;
  /** GenAI content attributes (`gen_ai.input.messages`, …), written as inputs. */
  content?: Record<string, unknown>;
}

/** How a model call ended. */
export interface GenerationOutcome {
  attributes?: Attributes;
  /** `gen_ai.output.messages`. */
  outputMessages?: unknown;
  /** `basalt.span.output` of the generation span (and of the root the middleware opened). */
  output?: unknown;
  /** Present when the call failed: status ERROR, `error.type`, `exception` event. */
  error?: unknown;
  /** The consumer cancelled the stream: `basalt.span.cancelled = true`, status left unset. */
  cancelled?: boolean;
}

/**
 * One model call: its `generation` span and, outside an active Basalt trace, the root the middleware
 * opened for it. `finish` ends both exactly once, the generation first, whichever path comes first.
 */
export class Generation {
  readonly span: BasaltSpan;
  readonly root: BasaltSpan | undefined;
  /** `performance.now()` when the call started, for the time to first chunk. */
  readonly startedAt = performance.now();
  #done = false;

  constructor(span: BasaltSpan, root: BasaltSpan | undefined) {
    this.span = span;
    this.root = root;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Runs the provider call with the generation span active, so spans the provider starts (HTTP)
   * nest under it. A throw ends the spans with ERROR and is rethrown as the same object.
   */
  async run<R>(providerCall: () => PromiseLike<R>): Promise<R> {
    try {
      return await context.with(this.span.context, providerCall);
    } catch (error) {
      this.finish(() => ({ error }));
      throw error;
    }
  }

  /** Builds the outcome (a failure there is logged and skipped) and ends the spans, once. */
  finish(outcome: () => GenerationOutcome): void {
    if (this.#done) return;
    this.#done = true;
    try {
      const recorded = safely('ai-sdk.record-outcome', outcome, {});
      safely('ai-sdk.record-span', () => this.#record(recorded), undefined);
    } finally {
      this.span.end();
      this.root?.end();
    }
  }

  #record(outcome: GenerationOutcome): void {
    const { span, root } = this;
    if (outcome.attributes) span.setAttributes(outcome.attributes);
    if (outcome.outputMessages !== undefined) {
      span.setContent(ATTR.GEN_AI_OUTPUT_MESSAGES, outcome.outputMessages, 'output');
    }
    if (outcome.output !== undefined) {
      span.setOutput(outcome.output);
      root?.setOutput(outcome.output);
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
 * Opens the spans of a model call. Inside an active Basalt trace: a `generation` child of it.
 * Outside: a root with the resolved feature slug, experiment and identity (the `startObserve` the
 * user did not write), and the `generation` span under it.
 */
export function openGeneration(request: GenerationRequest): Generation {
  const active = context.active();
  const inTrace = getTraceState(active) !== undefined;
  const root = inTrace ? undefined : openOwnRoot(request);
  if (inTrace) {
    logOnce(
      'ai-sdk.inside-trace',
      'debug',
      "basaltMiddleware: a model call inside an active Basalt trace is a child of it and keeps the trace's feature slug, experiment and identity; the middleware's and providerOptions.basalt's are ignored there.",
    );
  }
  try {
    const span = openChild({
      name: request.name,
      kind: 'generation',
      attributes: request.attributes,
      input: request.input,
      metadata: root ? undefined : request.options.metadata,
      parent: root ?? active,
    });
    for (const [key, value] of Object.entries(request.content ?? {})) span.setContent(key, value, 'input');
    return new Generation(span, root);
  } catch (error) {
    root?.end();
    throw error;
  }
}

/** The root a call outside any trace gets: the middleware's values, overridden per call. */
function openOwnRoot({ options, input }: GenerationRequest): BasaltSpan {
  return openRoot({
    name: options.name || options.featureSlug,
    featureSlug: options.featureSlug,
    experiment: options.experiment,
    identity: options.identity,
    metadata: options.metadata,
    evaluators: options.evaluators,
    evaluationConfig: options.evaluationConfig,
    input,
  });
}
