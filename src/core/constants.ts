declare const __BASALT_SDK_VERSION__: string | undefined;

/** The package version, injected by the build (`tsup` / `vitest` `define`), never read from package.json. */
export const SDK_VERSION: string = typeof __BASALT_SDK_VERSION__ === 'string' ? __BASALT_SDK_VERSION__ : '0.0.0-dev';
export const SDK_TYPE = 'nodejs';

export const DEFAULT_API_URL = 'https://api.getbasalt.ai';
/** Basalt's OTLP/gRPC intake, as in Basalt's official SDKs. */
export const DEFAULT_OTLP_ENDPOINT = 'https://grpc.otel.getbasalt.ai';
export const DEFAULT_LOCAL_TRACE_FILE = '.basalt/traces.jsonl';
/** Size at which the local trace file is rotated to `<file>.1`, the one older file kept (docs/decisions.md). */
export const DEFAULT_LOCAL_TRACE_MAX_BYTES = 10 * 1024 * 1024;
/** The least `localTraceMaxBytes`: below it every few spans would rotate the file. */
export const MIN_LOCAL_TRACE_MAX_BYTES = 1024;

export const DEFAULT_MAX_PAYLOAD_BYTES = 32 * 1024;
export const DEFAULT_API_TIMEOUT_MS = 10_000;

/**
 * Bounds of the export queue (§8, #14), counting the spans in exports in flight: 20,480 spans (ten
 * times OpenTelemetry's 2,048, so that a healthy collector loses nothing of a burst of 10,000 spans
 * ended in one go) and 16 MiB of estimated encoded spans, whichever is reached first. Batches of
 * 512, as OpenTelemetry's BatchSpanProcessor.
 */
export const DEFAULT_MAX_QUEUE_SIZE = 20_480;
export const DEFAULT_MAX_QUEUE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
export const DEFAULT_SCHEDULED_DELAY_MS = 1000;
/**
 * Deadline of one export, retries included: Basalt's OTLP exporter starts no attempt that cannot
 * end by it. Not longer than the flush timeout: a script that never calls shutdown() is held by its
 * last flush until this deadline at most (§8, docs/decisions.md). OpenTelemetry's is 10 s.
 */
export const DEFAULT_EXPORT_TIMEOUT_MS = 5_000;
export const DEFAULT_FLUSH_TIMEOUT_MS = 5_000;
/** Least time between two warnings that count the spans lost since the previous one (§8). */
export const DEFAULT_LOSS_REPORT_INTERVAL_MS = 60_000;
