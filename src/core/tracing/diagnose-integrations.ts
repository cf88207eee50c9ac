import { ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { hasActiveContextResolver, resolversConsulted } from './active-context.js';
import type { DiagnosisFinding } from './diagnose.js';

/**
 * The findings about the integrations around ours (#12.3): LangChain runs without a context manager
 * that can make them active, and ai 7's telemetry integration cut off from the provider. `contextOk`:
 * a context made active is seen as active.
 */
export function integrationFindings(contextOk: boolean): DiagnosisFinding[] {
  const findings: DiagnosisFinding[] = [];
  if (contextOk && hasActiveContextResolver('langchain') && !resolversConsulted()) findings.push(LANGCHAIN_CONTEXT);
  if (aiSdkTelemetryDisconnected()) findings.push(AI_SDK_TELEMETRY_LOST);
  return findings;
}

/** LangChain runs are traced, but the context manager cannot make a run's span active in its body. */
const LANGCHAIN_CONTEXT: DiagnosisFinding = {
  code: 'langchain-context-manager',
  severity: 'warning',
  cause:
    'LangChain runs are traced, but the registered OpenTelemetry context manager is not a BasaltContextManager, so inside a tool, a RunnableLambda or a LangGraph node the active span is not the run’s: spans other instrumentations start there (HTTP client calls, database queries) nest under the run’s parent instead of the run. Basalt’s own LangChain spans are not affected.',
  fix: 'Give the SDK that owns the provider a BasaltContextManager: `new NodeSDK({ contextManager: new BasaltContextManager(), … })`, or `context.setGlobalContextManager(new BasaltContextManager().enable())` in place of the AsyncLocalStorageContextManager.',
};

/** ai 7's telemetry integration was made with another copy of the OpenTelemetry API (see `aiSdkTelemetryDisconnected`). */
const AI_SDK_TELEMETRY_LOST: DiagnosisFinding = {
  code: 'ai-sdk-telemetry-lost',
  severity: 'warning',
  cause:
    'The AI SDK telemetry integration registered with registerTelemetry (@ai-sdk/otel) records nothing: it got its tracer from another copy of @opentelemetry/api (@ai-sdk/otel pins its own version) before Basalt registered the TracerProvider, so none of the AI SDK’s spans is recorded. Basalt’s own spans are not affected.',
  fix: 'Install the version @ai-sdk/otel pins in your app so there is one copy (`npm ls @opentelemetry/api`; for @ai-sdk/otel 1.x: `npm install @opentelemetry/api@1.9.1`); or create the integration after Basalt’s first span (after `registerBasalt()`).',
};

/** Where ai 7's `registerTelemetry` keeps the integrations registered for every call. */
interface AiSdkRegistry {
  AI_SDK_TELEMETRY_INTEGRATIONS?: unknown;
}

interface TracerLike {
  startSpan(name: string, options: undefined, context: unknown): { spanContext(): SpanContext; end(): void };
}

/** A parent no real span has, not sampled: what the probe starts under. */
const PROBE_PARENT: SpanContext = {
  traceId: 'b0a5a170000000000000000000000001',
  spanId: 'b0a5a17000000001',
  traceFlags: TraceFlags.NONE,
  isRemote: true,
};

/**
 * Whether an AI SDK telemetry integration registered with ai 7's `registerTelemetry` (`@ai-sdk/otel`'s
 * `OpenTelemetry`, `LegacyOpenTelemetry`) holds a tracer that records nothing: it came from another
 * copy of `@opentelemetry/api` (`@ai-sdk/otel` pins its own) before Basalt registered the provider,
 * so that copy's proxy never gets one, and every AI SDK span is lost without a word.
 *
 * The probe records nothing either way: it starts a span with tracing suppressed under a parent that
 * is not sampled. An OpenTelemetry SDK tracer answers with a span of its own (suppressed: the invalid
 * span context); the API's no-op tracer answers with the parent's span context itself.
 */
function aiSdkTelemetryDisconnected(): boolean {
  const integrations = (globalThis as AiSdkRegistry).AI_SDK_TELEMETRY_INTEGRATIONS;
  if (!Array.isArray(integrations)) return false;
  const probe = suppressTracing(trace.setSpanContext(ROOT_CONTEXT, PROBE_PARENT));
  for (const integration of integrations) {
    const tracer = (integration as { tracer?: unknown } | null)?.tracer as TracerLike | undefined;
    if (typeof tracer?.startSpan !== 'function') continue;
    try {
      const span = tracer.startSpan('basalt-observe.diagnose', undefined, probe);
      const disconnected = span.spanContext().spanId === PROBE_PARENT.spanId;
      span.end();
      if (disconnected) return true;
    } catch {
      // A tracer that throws on a probe tells nothing; the next one may.
    }
  }
  return false;
}
