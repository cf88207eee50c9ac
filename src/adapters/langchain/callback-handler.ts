import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Attributes, Context } from '@opentelemetry/api';
import { ATTR, type GenAiMessage, isRecord, safely } from '../../core/integration.js';
import { serializedName } from './generation.js';
import { toGenAiMessages } from './messages.js';
import { type BasaltCallbackHandlerOptions, checkOptions } from './options.js';
import { enableRunContexts, RUN_CONTEXT } from './run-context.js';
import { RunTracer } from './run-tracer.js';
import { chainValue } from './values.js';

const HIDDEN_TAG = 'langsmith:hidden';

/**
 * Ends the open runs of a handler that was garbage-collected: one handler per request, whose stream
 * the consumer abandoned, is dropped with runs LangChain never ends. The held value is the handler's
 * tracer, which never points back at the handler.
 */
// Workers before compatibility date 2025-05-05 have no FinalizationRegistry: runs of a dropped
// handler are then not ended by its collection.
const collected =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<RunTracer>((tracer) => safely('langchain.collected', () => tracer.abandonAll()))
    : undefined;

/**
 * A LangChain.js callback handler that records every run as a Basalt span (§7): chains, runnables
 * and graph nodes as `span`, chat models and LLMs as `generation` (with the GenAI fields of §5),
 * tools as `tool`, retrievers as `retrieval`, nested by `parentRunId`. A top-level run opens the
 * trace's root with the handler's values (or those of the run config's `metadata.basalt`), or becomes
 * a child when a Basalt trace is already active. One instance serves any number of concurrent
 * invokes and holds no run after it ends. Works with `@langchain/core` 0.3 and 1.x.
 *
 * @throws {BasaltConfigError} when `featureSlug` is missing, `evaluationConfig.sampleRate` is out of range,
 * or `maxOpenRuns` / `idleTimeoutMs` is not a positive number (or `Infinity`).
 * @example
 * const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
 * await chain.invoke({ question }, { callbacks: [handler], metadata: { basalt: { identity: { user: { id: '42' } } } } });
 */
export class BasaltCallbackHandler extends BaseCallbackHandler {
  name = 'basalt';
  readonly #tracer: RunTracer;

  constructor(options: BasaltCallbackHandlerOptions) {
    // Awaited hooks run in the caller's async context, so a top-level run finds the active trace.
    super({ _awaitHandler: true });
    this.#tracer = new RunTracer(checkOptions(options));
    collected?.register(this, this.#tracer);
    enableRunContexts();
  }

  /** For `BasaltContextManager`: the context of run `runId` for code running in `base` (run-context.ts). */
  [RUN_CONTEXT](runId: string, base: Context): Context | undefined {
    return this.#tracer.runContext(runId, base);
  }

  /** @internal Runs started and not yet ended or failed: 0 once every invoke has settled. */
  get openRunCount(): number {
    return this.#tracer.openRuns;
  }

  /** One instance holds the runs of every invoke, so LangChain's copies are the instance itself. */
  override copy(): this {
    return this;
  }

  // LangChain calls it with (chain, inputs, runId, parentRunId, tags, metadata, runType, runName, extra)
  // in 0.3 and 1.x alike, whatever the parameter order of the 1.x type declaration says.
  override handleChainStart(
    chain: unknown,
    inputs: unknown,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
    extra?: Record<string, unknown>,
  ): void {
    safely('langchain.chain-start', () => {
      const name = runName ?? serializedName(chain) ?? 'chain';
      // A streamed run (`lc_defers_inputs`) only knows its input at the end.
      const input = extra?.lc_defers_inputs === true ? undefined : unwrap(inputs, 'input');
      const hidden = Array.isArray(tags) && tags.includes(HIDDEN_TAG);
      this.#tracer.start({ runId, parentRunId, name, runName: name, kind: 'span', input, metadata, hidden });
    });
  }

  override handleChainEnd(
    outputs: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    kwargs?: { inputs?: unknown },
  ): void {
    safely('langchain.chain-end', () =>
      this.#tracer.end(runId, () => ({
        input: kwargs?.inputs === undefined ? undefined : unwrap(kwargs.inputs, 'input'),
        output: unwrap(outputs, 'output'),
      })),
    );
  }

  override handleChainError(error: unknown, runId: string): void {
    safely('langchain.chain-error', () => this.#tracer.fail(runId, error));
  }

  override handleChatModelStart(
    llm: unknown,
    messages: unknown[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    safely('langchain.model-start', () => {
      const input = toGenAiMessages(Array.isArray(messages) ? messages.flat() : []);
      this.#tracer.startModel('chat', { runId, parentRunId, runName, llm, input, extraParams, metadata });
    });
  }

  override handleLLMStart(
    llm: unknown,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    safely('langchain.model-start', () => {
      const input: GenAiMessage[] = (Array.isArray(prompts) ? prompts : []).map((prompt) => ({
        role: 'user',
        parts: [{ type: 'text', content: String(prompt) }],
      }));
      this.#tracer.startModel('text_completion', { runId, parentRunId, runName, llm, input, extraParams, metadata });
    });
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    safely('langchain.model-token', () => this.#tracer.get(runId)?.markFirstChunk());
  }

  override handleLLMEnd(output: unknown, runId: string): void {
    safely('langchain.model-end', () => this.#tracer.endModel(runId, output));
  }

  override handleLLMError(error: unknown, runId: string): void {
    safely('langchain.model-error', () => this.#tracer.fail(runId, error));
  }

  override handleToolStart(
    tool: unknown,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    safely('langchain.tool-start', () => {
      const name = runName ?? serializedName(tool) ?? 'tool';
      const attributes: Attributes = { [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool', [ATTR.GEN_AI_TOOL_NAME]: name };
      if (typeof toolCallId === 'string' && toolCallId !== '') attributes[ATTR.GEN_AI_TOOL_CALL_ID] = toolCallId;
      this.#tracer.start({ runId, parentRunId, name, runName: name, kind: 'tool', input, attributes, metadata });
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    safely('langchain.tool-end', () =>
      this.#tracer.end(runId, () => {
        if (!isRecord(output) || !('tool_call_id' in output)) return { output };
        // Invoked with a tool call, a tool returns a ToolMessage; 0.3 passes the call id only there.
        const callId = output.tool_call_id;
        const attributes = typeof callId === 'string' ? { [ATTR.GEN_AI_TOOL_CALL_ID]: callId } : undefined;
        return { attributes, output: output.content };
      }),
    );
  }

  override handleToolError(error: unknown, runId: string): void {
    safely('langchain.tool-error', () => this.#tracer.fail(runId, error));
  }

  override handleRetrieverStart(
    retriever: unknown,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    safely('langchain.retriever-start', () => {
      const name = runName ?? serializedName(retriever) ?? 'retriever';
      this.#tracer.start({ runId, parentRunId, name, runName: name, kind: 'retrieval', input: query, metadata });
    });
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    safely('langchain.retriever-end', () => this.#tracer.end(runId, () => ({ output: documents })));
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    safely('langchain.retriever-error', () => this.#tracer.fail(runId, error));
  }

  /** An agent's decision to call a tool: an `agent_action` event on the agent's span. */
  override handleAgentAction(action: unknown, runId: string): void {
    safely('langchain.agent-action', () => {
      if (!isRecord(action)) return;
      const attributes = { [ATTR.GEN_AI_TOOL_NAME]: String(action.tool ?? '') };
      this.#tracer.event(runId, 'agent_action', attributes, { input: action.toolInput });
    });
  }

  /** The agent's final answer: an `agent_finish` event on the agent's span. */
  override handleAgentEnd(finish: unknown, runId: string): void {
    safely('langchain.agent-end', () => {
      if (isRecord(finish)) this.#tracer.event(runId, 'agent_finish', {}, { output: finish.returnValues });
    });
  }
}

/** LangChain wraps a non-object input or output as `{ input }` / `{ output }`: record the value itself. */
function unwrap(value: unknown, key: 'input' | 'output'): unknown {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === key) return chainValue(value[key]);
  }
  return chainValue(value);
}
