import { requireFeatureSlug } from '../config.js';
import type { Experiment } from '../experiments.js';
import { isRecord } from '../values.js';
import { type ExperimentRef, type Identity, mergeIdentity } from './context.js';
import { logOnce } from './safely.js';
import { checkEvaluationConfig, checkEvaluators, checkExperiment, checkIdentity } from './trace-options.js';

/**
 * The values an adapter gives the roots it opens, and what one call (`providerOptions.basalt`) or
 * one invoke (`metadata.basalt`) may override. Shared by both adapters, so overrides read and merge
 * the same way everywhere.
 */
export interface TraceValues {
  featureSlug?: string;
  name?: string;
  experiment?: Experiment | ExperimentRef | string;
  identity?: Identity;
  metadata?: Record<string, unknown>;
}

/** The values of the roots an integration opens: its defaults with one call's overrides applied. */
export interface TraceDefaults extends TraceValues {
  featureSlug: string;
  /** Slugs of Basalt evaluators to run on the traces. */
  evaluators?: string[];
  /** `sampleRate` in [0, 1] overrides the client's for these traces. */
  evaluationConfig?: { sampleRate?: number };
}

/** Checks an adapter's options once, where it is made, as `startObserve` does. */
export function checkTraceDefaults<T extends TraceDefaults>(options: T, who: string): T {
  requireFeatureSlug(options?.featureSlug, who);
  checkEvaluationConfig(options.evaluationConfig, who);
  return {
    ...options,
    identity: checkIdentity(options.identity, who),
    experiment: checkExperiment(options.experiment, who),
    evaluators: checkEvaluators(options.evaluators, who),
  };
}

/**
 * Reads override values from user data, typed or not: a value of the wrong type is left out, so the
 * adapter's own value applies. `undefined` when `raw` is not an object.
 */
export function readTraceValues(raw: unknown): TraceValues | undefined {
  if (!isRecord(raw)) return undefined;
  const values: TraceValues = {};
  if (typeof raw.featureSlug === 'string' && raw.featureSlug.trim() !== '') values.featureSlug = raw.featureSlug;
  if (typeof raw.name === 'string' && raw.name !== '') values.name = raw.name;
  if (isRecord(raw.metadata)) values.metadata = raw.metadata;
  values.identity = orWarn(() => checkIdentity(raw.identity, 'per-call basalt values'));
  values.experiment = orWarn(() => checkExperiment(raw.experiment, 'per-call basalt values'));
  return values;
}

/** A per-call value that does not pass its check is left out (the defaults apply), and said once. */
function orWarn<T>(check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    logOnce('trace-values.invalid', 'warn', `${(error as Error).message}: the value was ignored.`);
    return undefined;
  }
}

/** `over` on top of `base`: each value given wins; identity merges per field, metadata per key. */
export function mergeTraceValues<B extends TraceValues>(base: B, over: TraceValues | undefined): B {
  if (!over) return base;
  const metadata = base.metadata || over.metadata ? { ...base.metadata, ...over.metadata } : undefined;
  return {
    ...base,
    featureSlug: over.featureSlug ?? base.featureSlug,
    name: over.name ?? base.name,
    experiment: over.experiment ?? base.experiment,
    identity: mergeIdentity(base.identity, over.identity),
    metadata,
  };
}
