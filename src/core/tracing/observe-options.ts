import type { Attributes, Context } from '@opentelemetry/api';
import type { Experiment } from '../experiments.js';
import type { ObserveKind } from './attributes.js';
import type { BasaltSpan } from './basalt-span.js';
import type { ExperimentRef, Identity } from './context.js';

/** Options of `startObserve` (a root) and `observe` (a child), SPEC §3. */

export interface StartObserveOptions {
  /** Name of the root span (`analyse_ticket`). Default: the feature slug. */
  name?: string;
  /** The product feature the trace belongs to. Required. */
  featureSlug: string;
  /**
   * The experiment from `experiments.create`, or its id. Traces in an experiment are always evaluated;
   * one whose feature slug is not the trace's is ignored by Basalt, and the sample rate decides.
   */
  experiment?: Experiment | ExperimentRef | string;
  /** The end user and organization the trace serves. */
  identity?: Identity;
  /**
   * Free-form metadata, written as `basalt.metadata` (JSON) and, for its string, number and boolean
   * values, as `basalt.meta.<key>` (docs/wire-format.md).
   */
  metadata?: Record<string, unknown>;
  /** Slugs of Basalt evaluators to run on the trace. */
  evaluators?: string[];
  /**
   * `sampleRate` in [0, 1] overrides the client's for this trace. The rate in force is sent as
   * `basalt.span.evaluation.config` (`{"sample_rate": 0.2}`) and `basalt.span.evaluation.sample_rate`.
   */
  evaluationConfig?: { sampleRate?: number };
  /** Recorded as the root's input. */
  input?: unknown;
  /** Parent context. Default: the active one. */
  parent?: Context;
}

export interface ObserveOptions {
  name: string;
  /** Default `span`. `generation` spans are OpenTelemetry CLIENT spans. */
  kind?: ObserveKind;
  input?: unknown;
  metadata?: Record<string, unknown>;
  attributes?: Attributes;
  /** The parent span (a manual `startObserve` handle) or context. Default: the active context. */
  parent?: BasaltSpan | Context;
}
