export { Basalt } from './core/client.js';
export type { BasaltOptions, MaskFunction, MaskInfo, TelemetryOptions } from './core/config.js';
export { SDK_VERSION } from './core/constants.js';
export {
  BasaltApiError,
  BasaltBadRequestError,
  BasaltConfigError,
  BasaltForbiddenError,
  BasaltInvalidResponseError,
  BasaltNetworkError,
  BasaltNotFoundError,
  BasaltRateLimitError,
  BasaltServerError,
  BasaltTimeoutError,
  BasaltUnauthorizedError,
  BasaltUnprocessableEntityError,
  isBasaltApiError,
} from './core/errors.js';
export type { CreateExperimentParams, Experiment, Experiments } from './core/experiments.js';
export type { LogLevel } from './core/logger.js';
export { ATTR, type ObserveKind } from './core/tracing/attributes.js';
export { BasaltSpan } from './core/tracing/basalt-span.js';
export type { ExperimentRef, Identity } from './core/tracing/context.js';
export type { ExportStats } from './core/tracing/export-queue.js';
export { type BasaltExporterOptions, createBasaltExporter } from './core/tracing/exporter.js';
export { LocalTraceExporter } from './core/tracing/local-exporter.js';
export { type ObserveOptions, observe, type StartObserveOptions, startObserve } from './core/tracing/observe.js';
export { basaltResourceAttributes } from './core/tracing/provider.js';
export { serialize, TRUNCATION_MARKER } from './core/tracing/serialize.js';
export { BasaltSpanProcessor, type BasaltSpanProcessorOptions } from './core/tracing/span-processor.js';
export { formatTraceTree } from './core/tracing/trace-tree.js';
