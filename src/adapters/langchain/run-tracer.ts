import { type Attributes, type Context, context } from '@opentelemetry/api';
import {
  ATTR,
  type GenAiMessage,
  generationSpanName,
  isRecord,
  logOnce,
  type ObserveKind,
  type Operation,
  type OperationOutcome,
  openOperation,
  outputValue,
  promptContent,
} from '../../core/integration.js';
import { type ModelOperation, modelEndAttributes, modelStartAttributes, serializedName } from './generation.js';
import { splitSystem } from './messages.js';
import { type BasaltCallbackHandlerOptions, traceDefaults } from './options.js';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_OPEN_RUNS, RunRegistry } from './run-registry.js';

const WHO = 'BasaltCallbackHandler';

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
  /** Content attributes written as inputs (`gen_ai.input.messages`, …). */
  content?: Record<string, unknown>;
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
 * Translates LangChain runs into operations: a run with a known parent run joins its parent's
 * context; a top-level run opens an operation with the handler's trace values (core decides whether
 * that is a root or a child of an active trace). Every run lives in the registry exactly from its
 * start to its end or error.
 */
export class RunTracer {
  readonly #options: BasaltCallbackHandlerOptions;
  readonly #runs: RunRegistry;

  constructor(options: BasaltCallbackHandlerOptions) {
    this.#options = options;
    this.#runs = new RunRegistry({
      maxOpenRuns: options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
  }

  get openRuns(): number {
    return this.#runs.size;
  }

  /** Ends every open run, marked cancelled, children first: the handler was garbage-collected. */
  abandonAll(): void {
    if (this.#runs.size === 0) return;
    this.#runs.abandonAll();
    logOnce(
      'langchain.collected',
      'debug',
      'A BasaltCallbackHandler was garbage-collected with LangChain runs open (a stream abandoned before its end): they were ended as cancelled.',
    );
  }

  /** The open operation of a run, if any. */
  get(runId: string): Operation | undefined {
    return this.#runs.get(runId)?.op;
  }

  /**
   * Opens the run's operation and registers it. A top-level chain/graph run *is* the root it opens; a
   * top-level model, tool or retriever run gets a root and is its child, so its kind is kept
   * (docs/langchain.md).
   */
  start(run: RunStart): void {
    const parent = this.#runs.reserve(run.parentRunId, run.metadata);
    // Hooks run inside LangChain's `run(undefined)`, so this is the caller's context, never a run's.
    const caller = context.active();
    if (parent && run.hidden) {
      this.#runs.add(run.runId, parent, {
        op: undefined,
        context: parent.context,
        metadata: run.metadata,
        callerContext: caller,
      });
      return;
    }
    // Object literals, not spreads: a spread of differently shaped objects is a slow path (#14).
    const op = openOperation({
      who: WHO,
      kind: run.kind,
      name: run.name,
      attributes: run.attributes,
      input: run.input,
      content: run.content,
      parent: parent ? parent.context : caller,
      trace: parent ? undefined : traceDefaults(this.#options, run.metadata),
      rootName: run.runName,
      rootIsLeaf: true,
    });
    this.#runs.add(run.runId, parent, { op, context: op.context, metadata: run.metadata, callerContext: caller });
  }

  /**
   * The context for code running in `base` inside the body of run `runId` (`BasaltContextManager`,
   * through run-context.ts): the run's own, while `base` is still the context the run started in.
   * A span the body made active itself (`base` differs) keeps its place; so does the caller's context
   * for a run that shared its id with another open run (which one runs is unknowable).
   */
  runContext(runId: string, base: Context): Context | undefined {
    const entry = this.#runs.unshared(runId);
    return entry !== undefined && entry.callerContext === base ? entry.context : undefined;
  }

  /**
   * A `generation` run with the request's GenAI fields. `basalt.span.input` holds every message;
   * as in the AI SDK adapter, system messages are split out to `gen_ai.system_instructions`.
   */
  startModel(operation: ModelOperation, run: ModelRunStart): void {
    const { model, attributes, tools } = modelStartAttributes(operation, run.llm, run.extraParams, run.metadata);
    const name = generationSpanName(operation, model);
    const runName = run.runName ?? serializedName(run.llm) ?? name;
    const { system, messages } = splitSystem(run.input);
    // Every message as `basalt.span.input`, and split as the GenAI content: serialized once (#14).
    const { input, content } = promptContent(run.input, system, messages);
    if (tools.length > 0) content[ATTR.GEN_AI_TOOL_DEFINITIONS] = tools;
    this.start({
      runId: run.runId,
      parentRunId: run.parentRunId,
      name,
      runName,
      kind: 'generation',
      input,
      attributes,
      content,
      metadata: run.metadata,
    });
  }

  /** Ends a model run with the response's GenAI fields, output messages and time to first chunk. */
  endModel(runId: string, output: unknown): void {
    this.end(runId, (op) => {
      const { attributes, messages } = modelEndAttributes(output);
      const ttfc = op.timeToFirstChunk;
      if (ttfc !== undefined) {
        attributes[ATTR.GEN_AI_REQUEST_STREAM] = true;
        attributes[ATTR.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc;
      }
      return {
        attributes,
        content: { [ATTR.GEN_AI_OUTPUT_MESSAGES]: messages },
        output: outputValue(messages.flatMap((m) => m.parts)),
      };
    });
  }

  /** Takes the run out of the registry and ends its operation with the outcome `record` builds. */
  end(runId: string, record: (op: Operation) => OperationOutcome): void {
    const op = this.#runs.take(runId)?.op;
    op?.end(() => record(op));
  }

  /** Takes the run out of the registry and ends its operation with ERROR (§5). */
  fail(runId: string, error: unknown): void {
    const op = this.#runs.take(runId)?.op;
    if (!op) return;
    if (isRecord(error) && error.is_bubble_up === true) {
      // LangGraph's control flow (GraphInterrupt, ParentCommand) is not a failure of the run.
      op.event('langgraph.bubble_up', { [ATTR.ERROR_TYPE]: String(error.name) });
      op.end();
    } else {
      op.end({ error });
    }
  }

  /** Adds an event to an open run's span, with content serialized as inputs and outputs are. */
  event(runId: string, name: string, attributes: Attributes, content: { input?: unknown; output?: unknown }): void {
    this.#runs.get(runId)?.op?.event(name, attributes, content);
  }
}
