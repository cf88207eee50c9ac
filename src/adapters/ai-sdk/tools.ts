import { type Attributes, context } from '@opentelemetry/api';
import {
  ATTR,
  inTrace,
  isRecord,
  isThenable,
  logOnce,
  nonEmptyString,
  type Operation,
  type OperationRequest,
  openOperation,
  safely,
  type TraceDefaults,
} from '../../core/integration.js';
import { type BasaltMiddlewareOptions, checkMiddlewareOptions } from './call-options.js';
import { isAsyncIterable, recordedIterable } from './tool-output.js';

/**
 * Options of `basaltTools`: the values of the roots it opens for tools that run outside any Basalt
 * trace, the same as `basaltMiddleware`'s, so one object can configure both.
 */
export type BasaltToolsOptions = BasaltMiddlewareOptions;

/** A tool's `execute` as the AI SDK calls it: `(input, { toolCallId, messages, abortSignal, … })`. */
type Execute = (this: unknown, input: unknown, options: unknown) => unknown;

/** The executes `basaltTools` made, so wrapping a tool set twice does not record each run twice. */
const traced = new WeakSet<Execute>();

/**
 * Records each execution of the tools of a `generateText`/`streamText` call (`ai` 5, 6 and 7) as a
 * Basalt `tool` span named `execute_tool {name}`: `gen_ai.operation.name=execute_tool`,
 * `gen_ai.tool.name`, `gen_ai.tool.call.id`, the tool input and output, an error as ERROR, and the
 * duration. Returns a new tool set with the same keys; each tool with an `execute` is a copy of it
 * (every other property kept) whose `execute` returns or throws exactly what the original does. A
 * streaming tool's `AsyncIterable` is passed through value by value; its last value is the output.
 *
 * Inside an active Basalt trace (a `startObserve` callback around the call), each span is a child of
 * the span active where the AI SDK runs the tool: the root, beside the call's generation spans.
 * Outside any trace, with `options`, each execution opens a root of its own (`featureSlug`, …);
 * without `options`, it runs unrecorded and a warning says so once.
 *
 * @param tools - The tool set given to `generateText`/`streamText`.
 * @param options - Optional: `featureSlug` (required when options are given), `name`, `experiment`,
 * `identity`, `metadata`, `evaluators`, `evaluationConfig` of the roots opened outside a trace.
 * @returns The same shape of tool set, with each `execute` recorded.
 * @example
 * await startObserve({ name: 'weather_question', featureSlug: 'chat' }, () =>
 *   generateText({ model, tools: basaltTools({ weather }), stopWhen: stepCountIs(2), prompt }),
 * );
 * @see docs/ai-sdk.md
 */
export function basaltTools<T extends object>(tools: T, options?: BasaltToolsOptions): T {
  const trace = options === undefined ? undefined : checkMiddlewareOptions(options, 'basaltTools');
  return safely('basaltTools.wrap', () => wrapTools(tools, trace), tools);
}

function wrapTools<T extends object>(tools: T, trace: TraceDefaults | undefined): T {
  if (!isRecord(tools)) return tools;
  const entries = Object.entries(tools).map(([name, tool]) => [name, wrapTool(name, tool, trace)]);
  return Object.fromEntries(entries) as T;
}

/** A copy of `tool` with its `execute` recorded: same prototype, every other own property kept as is. */
function wrapTool(name: string, tool: unknown, trace: TraceDefaults | undefined): unknown {
  if (!isRecord(tool) || typeof tool.execute !== 'function' || traced.has(tool.execute as Execute)) return tool;
  const descriptors = Object.getOwnPropertyDescriptors(tool);
  descriptors.execute = {
    value: tracedExecute(name, tool.execute as Execute, trace),
    writable: true,
    enumerable: descriptors.execute?.enumerable ?? true,
    configurable: true,
  };
  return Object.create(Object.getPrototypeOf(tool), descriptors);
}

function tracedExecute(name: string, execute: Execute, trace: TraceDefaults | undefined): Execute {
  // Not async: the AI SDK tells a streaming tool by the `AsyncIterable` `execute` returns, and a
  // Promise of one would be taken for its final output. Sync results and throws stay sync too.
  function basaltExecute(this: unknown, input: unknown, options: unknown): unknown {
    const call = openToolCall(name, input, options, trace);
    if (!call) return execute.call(this, input, options);
    return runTool(call, () => execute.call(this, input, options));
  }
  traced.add(basaltExecute);
  return basaltExecute;
}

/** The operation of one execution, or `undefined` when it is not recorded (no trace and no options). */
function openToolCall(
  name: string,
  input: unknown,
  options: unknown,
  trace: TraceDefaults | undefined,
): Operation | undefined {
  if (!trace && !safely('basaltTools.open', () => inTrace(context.active()), false)) {
    logOnce(
      'basaltTools.outside-trace',
      'warn',
      `basaltTools: tool "${name}" ran outside any Basalt trace and basaltTools has no featureSlug, so it was not recorded. Run the generateText/streamText call inside startObserve (one trace per call), or pass basaltTools(tools, { featureSlug }).`,
    );
    return undefined;
  }
  const call = openOperation(() => toolRequest(name, input, options, trace));
  return call.done ? undefined : call;
}

/** The request of one tool execution: a `tool` span with the GenAI `execute_tool` attributes. */
function toolRequest(
  name: string,
  input: unknown,
  options: unknown,
  trace: TraceDefaults | undefined,
): OperationRequest {
  const attributes: Attributes = {
    [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool',
    [ATTR.GEN_AI_TOOL_NAME]: name,
  };
  const callId = isRecord(options) ? nonEmptyString(options.toolCallId) : undefined;
  if (callId) attributes[ATTR.GEN_AI_TOOL_CALL_ID] = callId;
  return { who: 'basaltTools', kind: 'tool', name: `execute_tool ${name}`, trace, attributes, input };
}

/**
 * Runs `execute` with the tool span active (spans it starts nest under it) and ends the span with
 * what it returns, resolves to, yields last or throws, handing each back as the same object.
 */
function runTool(call: Operation, execute: () => unknown): unknown {
  let result: unknown;
  try {
    result = context.with(call.context, execute);
  } catch (error) {
    call.end({ error });
    throw error;
  }
  if (isAsyncIterable(result)) {
    const recorded = safely('basaltTools.stream', () => recordedIterable(result, call), undefined);
    if (!recorded) call.end();
    return recorded ?? result;
  }
  if (isThenable(result)) {
    return Promise.resolve(result).then(
      (output) => {
        call.end({ output });
        return output;
      },
      (error: unknown) => {
        call.end({ error });
        throw error;
      },
    );
  }
  call.end({ output: result });
  return result;
}
