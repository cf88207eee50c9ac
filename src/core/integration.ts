/**
 * The one core entry the adapters import (docs/architecture.md): the operation primitive, the
 * attribute table, the GenAI helpers, the trace values an integration reads and merges, the guard,
 * and the small value readers. An integration is a translator from its framework's events to
 * `openOperation` / `Operation`, and imports nothing else from core.
 */
export { BasaltConfigError } from './errors.js';
export type { Experiment } from './experiments.js';
export { type ActiveContextResolver, registerActiveContextResolver } from './tracing/active-context.js';
export { ATTR, type ObserveKind } from './tracing/attributes.js';
export { type ExperimentRef, type Identity, inTrace } from './tracing/context.js';
export * from './tracing/gen-ai.js';
export { Operation, type OperationOutcome, type OperationRequest, openOperation } from './tracing/operation.js';
export { logOnce, safely } from './tracing/safely.js';
export { promptContent } from './tracing/shared-content.js';
export { asyncLocalStorageClass } from './tracing/storage-context.js';
export {
  checkTraceDefaults,
  mergeTraceValues,
  readTraceValues,
  type TraceDefaults,
  type TraceValues,
} from './tracing/trace-values.js';
export { describeValue, finiteNumber, isRecord, isThenable, nonEmptyString, stringValue } from './values.js';
