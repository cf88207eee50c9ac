import { type Attributes, context } from '@opentelemetry/api';
import { ATTR, type ObserveKind } from '../../core/tracing/attributes.js';
import { type BasaltSpan, contentText } from '../../core/tracing/basalt-span.js';
import { getTraceState } from '../../core/tracing/context.js';
import { type GenAiMessage, generationSpanName } from '../../core/tracing/gen-ai.js';
import { openChild, openRoot } from '../../core/tracing/observe.js';
import { getRuntime } from '../../core/tracing/provider.js';
import { logOnce } from '../../core/tracing/safely.js';
import { type ModelOperation, modelEndAttributes, modelStartAttributes, serializedName } from './generation.js';
import { isObject, outputValue, splitSystem } from './messages.js';
import { type BasaltCallbackHandlerOptions, rootOptions } from './options.js';
import { DEFAULT_MAX_OPEN_RUNS, type RunEntry, RunRegistry } from './run-registry.js';

/** A run as the handler hands it over at its start. */
export interface RunStart {
  runId: string;
  parentRunId?: string | undefined;
  /** Span name. */
  name: string;
  /** Name of the root when the run is top-level: the LangChain run name. */
  runName: string;
  kind: ObserveKind;
  input?: unknown;
  attributes?: Attributes;
  /** The run's LangChain metadata, where per-invoke `basalt` values live. */
  metadata?: unknown;
  /** `langsmith:hidden` runs (LangGraph internals) get no span; their children go to the parent. */
  hidden?: boolean;
}

/** A model run at its start, as `handleChatModelStart`/`handleLLMStart` receive it. */
export interface ModelRunStart {
  runId: string;
  parentRunId?: string | undefined;
  runName?: string | undefined;
  llm: unknown;
  input: GenAiMessage[];
  extraParams?: unknown;
  metadata?: unknown;
}

/**
 * Turns LangChain runs into Basalt spans: opens a run's span under its parent run's span (or as a
 * top-level run), and ends it on the run's end or error. Every run lives in the registry exactly from
 * its start to its end or error.
 */
export class RunTracer {
  readonly #options: BasaltCallbackHandlerOptions;
  readonly #runs: RunRegistry;

  constructor(options: BasaltCallbackHandlerOptions) {
    this.#options = options;
    this.#runs = new RunRegistry(options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS, (entry) => this.#evict(entry));
  }

  get openRuns(): number {
    return this.#runs.size;
  }

  get(runId: string): RunEntry | undefined {
    return this.#runs.get(runId);
  }

  /** Opens the run's span under its parent run, or as a top-level run; registers it either way. */
  start(run: RunStart): BasaltSpan | undefined {
    const startedAt = performance.now();
    const parent = this.#runs.get(run.parentRunId);
    if (parent && run.hidden) {
      this.#runs.set(run.runId, { span: undefined, context: parent.context, startedAt });
      return undefined;
    }
    const { span, root } = parent
      ? { span: openChild({ ...spanOptions(run), parent: parent.context }), root: undefined }
      : this.#openTopLevel(run);
    this.#runs.set(run.runId, { span, root, context: span.context, startedAt });
    return span;
  }

  /**
   * A `generation` span with the request's GenAI fields. `basalt.span.input` holds every message;
   * as in the AI SDK adapter, system messages are split out to `gen_ai.system_instructions`.
   */
  startModel(operation: ModelOperation, run: ModelRunStart): void {
    const { model, attributes, tools } = modelStartAttributes(operation, run.llm, run.extraParams, run.metadata);
    const name = generationSpanName(operation, model);
    const runName = run.runName ?? serializedName(run.llm) ?? name;
    const span = this.start({ ...run, name, runName, kind: 'generation', attributes });
    const { system, messages } = splitSystem(run.input);
    span?.setContent(ATTR.GEN_AI_INPUT_MESSAGES, messages, 'input');
    if (system.length > 0) span?.setContent(ATTR.GEN_AI_SYSTEM_INSTRUCTIONS, system, 'input');
    if (tools.length > 0) span?.setContent(ATTR.GEN_AI_TOOL_DEFINITIONS, tools, 'input');
  }

  /** Ends a model run with the response's GenAI fields, output messages and time to first chunk. */
  endModel(runId: string, output: unknown): void {
    this.end(runId, (span, entry) => {
      const { attributes, messages } = modelEndAttributes(output);
      span.setAttributes(attributes);
      if (entry.firstTokenAt !== undefined) {
        span.setAttributes({
          [ATTR.GEN_AI_REQUEST_STREAM]: true,
          [ATTR.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]: (entry.firstTokenAt - entry.startedAt) / 1000,
        });
      }
      span.setContent(ATTR.GEN_AI_OUTPUT_MESSAGES, messages, 'output');
      return outputValue(messages);
    });
  }

  /**
   * A top-level run inside an active Basalt trace is a child of it. Otherwise it opens the root: a
   * chain/graph run *is* the root; a model, tool or retriever run gets a root and is its child, so
   * its `generation`/`tool`/`retrieval` kind is kept (docs/langchain.md).
   */
  #openTopLevel(run: RunStart): { span: BasaltSpan; root?: BasaltSpan } {
    const active = context.active();
    if (getTraceState(active)) {
      if (isObject(run.metadata) && isObject(run.metadata.basalt)) {
        logOnce(
          'langchain.invoke-values-in-trace',
          'debug',
          'metadata.basalt is ignored inside an active Basalt trace: the trace keeps the values of its root.',
        );
      }
      return { span: openChild({ ...spanOptions(run), parent: active }) };
    }
    const root = openRoot({
      ...rootOptions(this.#options, run.metadata, run.runName),
      input: run.input,
      parent: active,
    });
    if (run.kind === 'span') return { span: root };
    return { span: openChild({ ...spanOptions(run), parent: root.context }), root };
  }

  /** Takes the run out of the registry, records its output, ends its span (and its own root). */
  end(runId: string, record: (span: BasaltSpan, entry: RunEntry) => unknown): void {
    const entry = this.#runs.take(runId);
    if (!entry?.span) return;
    try {
      const output = record(entry.span, entry);
      entry.span.setOutput(output);
      entry.root?.setOutput(output);
    } finally {
      entry.span.end();
      entry.root?.end();
    }
  }

  /** Takes the run out of the registry and ends its span with ERROR (§5). */
  fail(runId: string, error: unknown): void {
    const entry = this.#runs.take(runId);
    if (!entry?.span) return;
    if (isObject(error) && error.is_bubble_up === true) {
      // LangGraph's control flow (GraphInterrupt, ParentCommand) is not a failure of the run.
      entry.span.addEvent('langgraph.bubble_up', { [ATTR.ERROR_TYPE]: String(error.name) });
    } else {
      entry.span.recordError(error);
      entry.root?.recordError(error);
    }
    entry.span.end();
    entry.root?.end();
  }

  /** Adds an event to an open run's span, with content serialized as inputs and outputs are. */
  event(runId: string, name: string, attributes: Attributes, content: { input?: unknown; output?: unknown }): void {
    const span = this.#runs.get(runId)?.span;
    if (!span) return;
    const { telemetry } = getRuntime().settings.config;
    const input = contentText(telemetry, content.input, 'input', span.name);
    const output = contentText(telemetry, content.output, 'output', span.name);
    if (input !== undefined) attributes[ATTR.INPUT] = input;
    if (output !== undefined) attributes[ATTR.OUTPUT] = output;
    span.addEvent(name, attributes);
  }

  #evict(entry: RunEntry): void {
    for (const span of [entry.span, entry.root]) span?.setAttribute(ATTR.CANCELLED, true).end();
    logOnce(
      'langchain.evicted',
      'warn',
      `More than ${this.#options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS} LangChain runs were open at once: the oldest are ended as cancelled (LangChain never ends the runs of a stream abandoned before its end).`,
    );
  }
}

function spanOptions(run: RunStart) {
  return { name: run.name, kind: run.kind, attributes: run.attributes, input: run.input };
}
