import {
  checkTraceDefaults,
  type Experiment,
  type ExperimentRef,
  type Identity,
  isRecord,
  logOnce,
  mergeTraceValues,
  readTraceValues,
  safely,
} from '../../core/integration.js';
import type { ProviderOptionsLike } from './types.js';

/** The key of the per-call options in `providerOptions`. */
export const PROVIDER_OPTIONS_KEY = 'basalt';

/** Options of `basaltMiddleware` and `basaltEmbeddingMiddleware`. */
export interface BasaltMiddlewareOptions {
  /**
   * The product feature of the traces the middleware opens. Needed for calls made outside an active
   * Basalt trace, unless the call passes `providerOptions.basalt.featureSlug`.
   */
  featureSlug: string;
  /** Name of the root span the middleware opens. Default: the feature slug. */
  name?: string;
  /** The experiment (from `experiments.create`) or its id, for the traces the middleware opens. */
  experiment?: Experiment | ExperimentRef | string;
  /** The end user and organization the traces serve. */
  identity?: Identity;
  /** Metadata of the root span the middleware opens (or of the span itself inside a trace). */
  metadata?: Record<string, unknown>;
  /** Slugs of Basalt evaluators to run on the traces the middleware opens. */
  evaluators?: string[];
  /** `sampleRate` in [0, 1] for the traces the middleware opens. */
  evaluationConfig?: { sampleRate?: number };
}

/**
 * Per-call values, passed as `providerOptions.basalt` of `generateText`, `streamText`, `embed`, …
 * They override the middleware's options and are removed before the provider sees the call.
 * JSON values only (the AI SDK types `providerOptions` as JSON): pass an experiment by id.
 */
export interface BasaltCallOptions {
  featureSlug?: string;
  name?: string;
  experiment?: ExperimentRef | string;
  identity?: Identity;
  metadata?: Record<string, unknown>;
}

/** The middleware's options with one call's overrides applied. */
export type ResolvedCallOptions = BasaltMiddlewareOptions;

/** Checks a middleware's options once, where it is made, as `startObserve` does. */
export function checkMiddlewareOptions(options: BasaltMiddlewareOptions, who: string): BasaltMiddlewareOptions {
  return checkTraceDefaults(options, who);
}

/**
 * Removes `providerOptions.basalt` from the call options. Returns the same `params` object when
 * there is nothing to remove, else a shallow copy and the per-call values read from it.
 */
function stripCallOptions<P extends { providerOptions?: ProviderOptionsLike }>(
  params: P,
): { params: P; call?: BasaltCallOptions } {
  const providerOptions = params.providerOptions;
  if (!isRecord(providerOptions) || !(PROVIDER_OPTIONS_KEY in providerOptions)) return { params };
  const { [PROVIDER_OPTIONS_KEY]: raw, ...rest } = providerOptions;
  return { params: { ...params, providerOptions: rest }, call: readCallOptions(raw) };
}

/**
 * The `transformParams` step of both middlewares: strips `providerOptions.basalt` and remembers
 * its values in `calls`, keyed by the returned params object, which is the very object the AI SDK
 * hands to `wrapGenerate`/`wrapStream`/`wrapEmbed`. On an internal failure `params` pass unchanged.
 */
export function takeCallOptions<P extends { providerOptions?: ProviderOptionsLike }>(
  calls: WeakMap<object, BasaltCallOptions>,
  params: P,
): P {
  return safely(
    'ai-sdk.transform-params',
    () => {
      const stripped = stripCallOptions(params);
      if (stripped.call) calls.set(stripped.params, stripped.call);
      return stripped.params;
    },
    params,
  );
}

/** Reads `providerOptions.basalt` defensively: it comes from user code, typed or not. */
function readCallOptions(raw: unknown): BasaltCallOptions | undefined {
  if (raw === undefined || raw === null) return undefined;
  const values = readTraceValues(raw);
  if (!values) {
    logOnce('ai-sdk.call-options', 'warn', 'providerOptions.basalt must be an object; it was removed and ignored.');
  }
  return values as BasaltCallOptions | undefined;
}

/** Per-call values override the middleware's; identity merges per field, metadata per key. */
export function resolveCallOptions(
  base: BasaltMiddlewareOptions,
  call: BasaltCallOptions | undefined,
): ResolvedCallOptions {
  return mergeTraceValues(base, call);
}
