import { type Attributes, type Context, trace } from '@opentelemetry/api';
import type { ResolvedTelemetry } from '../config.js';
import { ATTR } from './attributes.js';
import { contentText } from './content.js';
import type { ReadableSpan, Span } from './sdk-types.js';

/**
 * Tracer names of the AI SDK's own telemetry: `ai` for ai 5 and 6 (`experimental_telemetry`) and for
 * `LegacyOpenTelemetry` of `@ai-sdk/otel` (ai 7), `gen_ai` for its `OpenTelemetry` integration.
 */
const AI_SDK_SCOPES: ReadonlySet<string> = new Set(['ai', 'gen_ai']);
/** The one key every legacy AI SDK span carries: recognises them under a custom tracer too. */
const LEGACY_OPERATION_ID = 'ai.operationId';
/** Ids of ancestors waiting for their end, at most; the oldest is forgotten past it. */
const MAX_PENDING = 1024;

/**
 * What Basalt receives when the AI SDK's own telemetry runs next to `basaltMiddleware`
 * (docs/decisions.md, "AI SDK telemetry next to the middleware"). The same model call is then
 * described twice: by the AI SDK's model-call span (`ai.generateText.doGenerate`,
 * `ai.streamText.doStream`, `chat {model}`) and, as its child, by the Basalt generation span. Usage
 * must be counted once, so the AI SDK spans *above* a Basalt generation, that span and its AI SDK
 * ancestors (`ai.generateText`, `step n`, `invoke_agent`, whose usage sums their calls), are sent as
 * plain `span` kind without their usage keys. The span objects are never changed: the app's other
 * processors and exporters see them as the AI SDK wrote them, and an AI SDK span with no Basalt
 * generation below it goes to Basalt untouched.
 *
 * Cost on the hot path: one key read in `onStart`; one `WeakSet` lookup per ended span, plus one
 * `Map` delete while an ancestor is pending.
 */
export class AiSdkTelemetryFold {
  /** AI SDK spans a Basalt generation was started under. */
  readonly #described = new WeakSet<object>();
  /** Span ids of the parents of folded spans, until they end. */
  readonly #pending = new Map<string, true>();

  /** `onStart` hook: a Basalt generation started under an AI SDK span marks that span. */
  started(span: Span, parentContext: Context): void {
    if (span.attributes?.[ATTR.SPAN_KIND] !== 'generation') return;
    const parent = trace.getSpan(parentContext) as unknown as Partial<ReadableSpan> | undefined;
    if (parent && isAiSdkSpan(parent)) this.#described.add(parent);
  }

  /** `onEnd` hook: the span as Basalt receives it, `span` itself unless it is folded. */
  exported(span: ReadableSpan): ReadableSpan {
    try {
      return this.#exported(span);
    } catch {
      return span; // a hostile attribute getter: Basalt gets the span as it is rather than none
    }
  }

  #exported(span: ReadableSpan): ReadableSpan {
    let fold = this.#described.has(span);
    if (this.#pending.size > 0 && this.#pending.delete(span.spanContext().spanId)) {
      fold ||= isAiSdkSpan(span);
    }
    if (!fold || span.attributes[ATTR.IN_TRACE] !== true) return span;
    const parentId = span.parentSpanContext?.spanId;
    if (parentId) {
      if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value as string);
      this.#pending.set(parentId, true);
    }
    return folded(span);
  }
}

/** A span of the AI SDK's own telemetry, by its tracer name or the legacy spans' one key. */
export function isAiSdkSpan(span: Partial<ReadableSpan>): boolean {
  const scope = span.instrumentationScope?.name;
  if (scope !== undefined && AI_SDK_SCOPES.has(scope)) return true;
  return typeof span.attributes?.[LEGACY_OPERATION_ID] === 'string';
}

function isUsageKey(key: string): boolean {
  return key.startsWith('gen_ai.usage.') || key.startsWith('ai.usage.') || key === 'ai.response.usage';
}

/** A copy of `span` as a plain `span` kind without usage keys; the SDK's object is left as it is. */
function folded(span: ReadableSpan): ReadableSpan {
  const attributes: Attributes = {};
  const source = span.attributes;
  for (const key in source) {
    if (!isUsageKey(key)) attributes[key] = source[key];
  }
  attributes[ATTR.SPAN_KIND] = 'span';
  return withAttributes(span, attributes);
}

/**
 * The content attributes of the AI SDK's own spans (ai 5 and 6, `@ai-sdk/otel`'s `OpenTelemetry` and
 * `LegacyOpenTelemetry`), as inputs or outputs: what Basalt's `mask` and `recordInputs`/
 * `recordOutputs` apply to (SPEC §9), as they do to ours.
 */
const AI_SDK_CONTENT: ReadonlyMap<string, 'input' | 'output'> = new Map([
  ...[
    'ai.prompt',
    'ai.prompt.messages',
    'ai.toolCall.args',
    'ai.value',
    'ai.values',
    'ai.documents',
    'ai.request.text',
    'ai.decision.questions',
    'gen_ai.input.messages',
    'gen_ai.system_instructions',
    'gen_ai.tool.call.arguments',
  ].map((key) => [key, 'input'] as const),
  ...[
    'ai.response.text',
    'ai.response.toolCalls',
    'ai.response.reasoning',
    'ai.response.object',
    'ai.response.files',
    'ai.toolCall.result',
    'ai.embedding',
    'ai.embeddings',
    'ai.ranking',
    'ai.decision.answers',
    'ai.decision.state',
    'gen_ai.output.messages',
    'gen_ai.tool.call.result',
  ].map((key) => [key, 'output'] as const),
]);

/** Whether Basalt's content settings change anything on the AI SDK's spans: not with the defaults. */
export function guardsContent(telemetry: ResolvedTelemetry): boolean {
  return telemetry.mask !== undefined || !telemetry.recordInputs || !telemetry.recordOutputs;
}

/**
 * `span` (an AI SDK span) as Basalt receives it with `mask`, `recordInputs`, `recordOutputs` and
 * `maxPayloadBytes` applied to its content attributes: a JSON text is masked as the value it holds,
 * then written again. The SDK's object is left as it is (the app's other exporters see what the AI
 * SDK wrote). If anything fails, the content attributes are dropped rather than sent unmasked.
 */
export function guardedContent(span: ReadableSpan, telemetry: ResolvedTelemetry): ReadableSpan {
  const source = span.attributes;
  let attributes: Attributes | undefined;
  try {
    for (const key in source) {
      const field = AI_SDK_CONTENT.get(key);
      if (field === undefined) continue;
      attributes ??= copied(source);
      const text = contentText(telemetry, parsed(source[key]), field, span.name);
      if (text === undefined) delete attributes[key];
      else attributes[key] = text;
    }
  } catch {
    attributes = {};
    for (const key in source) if (!AI_SDK_CONTENT.has(key)) attributes[key] = source[key];
  }
  return attributes ? withAttributes(span, attributes) : span;
}

function copied(source: Attributes): Attributes {
  const copy: Attributes = {};
  for (const key in source) copy[key] = source[key];
  return copy;
}

/** The value a JSON text holds (the AI SDK writes structured content as JSON), else the value itself. */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const first = value.charCodeAt(0);
  if (first !== 0x5b && first !== 0x7b) return value; // neither `[` nor `{`
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A copy of `span` with other attributes; everything else is the span's own. */
function withAttributes(span: ReadableSpan, attributes: Attributes): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
