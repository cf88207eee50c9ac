import { Basalt } from 'basalt-observe';

/**
 * The app's one Basalt client, for the whole life of the server process: created when
 * `instrumentation.ts` imports this module at server start, and shared by every route.
 *
 * Configured from the environment: BASALT_API_KEY (without it: local mode, traces are written to
 * .basalt/traces.jsonl and nothing leaves the machine), BASALT_OTEL_EXPORTER_OTLP_ENDPOINT (any
 * OTLP collector instead of Basalt's), BASALT_LOG_LEVEL.
 *
 * Never call `basalt.shutdown()` in a route: it ends tracing for the process. Routes call
 * `after(() => basalt.flush())`.
 */
export const basalt = new Basalt({ telemetry: { serviceName: 'nextjs-chat-example' } });
