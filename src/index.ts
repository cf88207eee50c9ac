/**
 * `basalt-observe`: the core client (experiments and the process-wide tracing behind `startObserve`
 * / `observe`), and what an app that owns its TracerProvider adds to it. Exactly what the README
 * documents; internals stay internal (#9).
 */
export { Basalt } from './core/client.js';
export type { BasaltOptions, MaskFunction, MaskInfo, TelemetryOptions } from './core/config.js';
export type { Dataset, DatasetRow, Datasets, GetDatasetOptions } from './core/datasets.js';
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
export { registerBasalt } from './core/register.js';
export { BasaltContextManager } from './core/tracing/active-context.js';
export type { ObserveKind } from './core/tracing/attributes.js';
export type { BasaltSpan } from './core/tracing/basalt-span.js';
export type { ExperimentRef, Identity } from './core/tracing/context.js';
export type { Diagnosis, DiagnosisCode, DiagnosisFinding } from './core/tracing/diagnose.js';
export type { ExportStats } from './core/tracing/export-queue.js';
export { type BasaltExporterOptions, createBasaltExporter } from './core/tracing/exporter.js';
export { type ObserveOptions, observe, type StartObserveOptions, startObserve } from './core/tracing/observe.js';
export { basaltResourceAttributes } from './core/tracing/provider.js';
export { BasaltSpanProcessor, type BasaltSpanProcessorOptions } from './core/tracing/span-processor.js';
export type { WrapHandlerOptions } from './core/wrap-handler.js';
export type { RunResult, RunStatus, RunSummary } from './experiments/run-file.js';
export type {
  ExperimentRun,
  RunExperimentOptions,
  Scorer,
  ScorerInput,
  TaskContext,
} from './experiments/run-options.js';
