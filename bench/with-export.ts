import { OpenTelemetry } from '@ai-sdk/otel';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { LangfuseVercelAiSdkIntegration } from '@langfuse/vercel-ai-sdk';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { Basalt, startObserve } from 'basalt-observe';
import { FEATURE, IDENTITY, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';
import { type Measured, measure, type Plan, type Variant } from './harness.js';
import type { SinkProcess } from './sink-process.js';

/**
 * generateText with every contestant exporting over OTLP/HTTP to a receiver in another process on
 * 127.0.0.1, and its flush inside the timed region (one flush per timed batch of calls): what an app
 * pays for tracing, export included, with the receiving side's CPU left out. Contestants:
 * basaltMiddleware (inside a root, and opening the root), with a Basalt client of its own (API key,
 * OTLP/HTTP protobuf endpoint: the default exporter); the AI SDK's OpenTelemetry (`@ai-sdk/otel`)
 * through OpenTelemetry's BatchSpanProcessor and OTLP/HTTP protobuf exporter; Langfuse's AI SDK 7
 * integration (`@langfuse/vercel-ai-sdk`, which delegates to `@ai-sdk/otel`) through Langfuse's
 * span processor (`@langfuse/otel`, OTLP/HTTP JSON), as Langfuse documents it.
 */
export async function benchGenerateWithExport(sink: SinkProcess, plan: Plan): Promise<Measured & { basalt: Basalt }> {
  const basalt = new Basalt({
    apiKey: 'bench-key',
    logLevel: 'warn',
    telemetry: { endpoint: `${sink.base}/v1/traces` },
  });
  const { mock, wrapped, clear } = mockModels(1);
  const call = (model: typeof mock | typeof wrapped, telemetry?: object) =>
    generateText({ model, system: SYSTEM, prompt: PROMPT, telemetry });

  const otelProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${sink.base}/v1/traces` }))],
  });
  const otel = new OpenTelemetry({ tracer: otelProvider.getTracer('ai') });
  const langfuseProvider = new BasicTracerProvider({
    spanProcessors: [
      new LangfuseSpanProcessor({ publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench', baseUrl: sink.base }),
    ],
  });
  const langfuse = new LangfuseVercelAiSdkIntegration({ tracer: langfuseProvider.getTracer('ai') });
  const stats = () => basalt.stats();

  const inRoot = (batch: () => Promise<bigint>) => {
    const root = startObserve({ name: 'request', featureSlug: FEATURE, identity: IDENTITY });
    return root.run(batch).finally(() => root.end());
  };
  const basaltVariant = {
    afterBatch: clear,
    flush: () => basalt.flush(),
    exported: async () => {
      await basalt.flush();
      return stats().exported;
    },
  };
  const variants: Variant[] = [
    { name: 'bare', call: () => call(mock), afterBatch: clear },
    { name: 'basalt in root', call: () => call(wrapped), around: inRoot, ...basaltVariant },
    { name: 'basalt standalone', call: () => call(wrapped), ...basaltVariant },
    {
      name: 'ai-sdk otel',
      call: () => call(mock, { isEnabled: true, integrations: [otel] }),
      afterBatch: clear,
      flush: () => otelProvider.forceFlush(),
    },
    {
      name: 'langfuse',
      call: () => call(mock, { isEnabled: true, integrations: [langfuse] }),
      afterBatch: clear,
      flush: () => langfuseProvider.forceFlush(),
    },
  ];
  const measured = await measure(variants, plan);
  await Promise.all([otelProvider.shutdown(), langfuseProvider.shutdown()]);
  return { ...measured, basalt };
}
