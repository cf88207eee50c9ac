import { type ContextManager, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BasaltSpanProcessor } from '../../src/index.js';

/** An app that owns its TracerProvider, with Basalt added to it as the README says. */
export interface AppProvider {
  provider: BasicTracerProvider;
  /** The app's own exporter: every span the provider ends, as written. */
  app: InMemorySpanExporter;
  /** The exporter of the `BasaltSpanProcessor`: what Basalt receives. */
  basalt: InMemorySpanExporter;
  /** Shuts the provider down and unregisters it and the context manager. */
  close(): Promise<void>;
}

/** Registers the app's provider and `manager` (default: OpenTelemetry's AsyncLocalStorage one) globally. */
export function appProvider(manager: ContextManager = new AsyncLocalStorageContextManager()): AppProvider {
  manager.enable();
  context.setGlobalContextManager(manager);
  const app = new InMemorySpanExporter();
  const basalt = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(app), new BasaltSpanProcessor({ exporter: basalt })],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    app,
    basalt,
    async close() {
      await provider.shutdown();
      manager.disable();
      context.disable();
      trace.disable();
    },
  };
}
