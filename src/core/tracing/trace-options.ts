import { sampleRate as validSampleRate } from '../config.js';
import { BasaltConfigError } from '../errors.js';
import { describeType } from '../values.js';
import type { ExperimentRef, Identity } from './context.js';
import { boundedString } from './sanitize.js';

/**
 * Checks of the trace values a user passes (`startObserve`, the adapters' options, `identify()`),
 * where they enter (#10.4): what can be coerced is (a numeric id to a string, one evaluator slug to
 * a list), every value is bounded (#10.19), and the rest is a `BasaltConfigError` naming the field,
 * never a trace lost silently at export.
 */
export const TRACE_LIMITS = {
  /** Identity ids and names, experiment ids and names. */
  valueChars: 1024,
  /** Evaluator slugs. */
  slugChars: 256,
  /** Evaluators of one trace. */
  evaluators: 64,
} as const;

/** `identity` with its ids and names as bounded strings (numbers and bigints coerced). */
export function checkIdentity(identity: unknown, who: string): Identity | undefined {
  if (identity === undefined || identity === null) return undefined;
  if (typeof identity !== 'object') throw invalid(who, 'identity', identity, 'an object');
  const out: Identity = {};
  for (const role of ['user', 'organization'] as const) {
    const party = readField(identity, role, who, 'identity');
    if (party === undefined || party === null) continue;
    if (typeof party !== 'object') throw invalid(who, `identity.${role}`, party, 'an object');
    const id = text(readField(party, 'id', who, `identity.${role}`), who, `identity.${role}.id`);
    if (id === undefined) throw invalid(who, `identity.${role}.id`, undefined, 'a string or a number');
    const name = text(readField(party, 'name', who, `identity.${role}`), who, `identity.${role}.name`);
    out[role] = name === undefined ? { id } : { id, name };
  }
  return out.user || out.organization ? out : undefined;
}

/** Evaluator slugs: one slug becomes a list of one; each a non-empty bounded string. */
export function checkEvaluators(evaluators: unknown, who: string): string[] | undefined {
  if (evaluators === undefined || evaluators === null) return undefined;
  const list = typeof evaluators === 'string' ? [evaluators] : evaluators;
  if (!Array.isArray(list)) throw invalid(who, 'evaluators', evaluators, 'a list of evaluator slugs');
  if (list.length > TRACE_LIMITS.evaluators) {
    throw new BasaltConfigError(
      `${who}: evaluators holds at most ${TRACE_LIMITS.evaluators} slugs; got ${list.length}`,
    );
  }
  return list.map((slug, i) => {
    if (typeof slug !== 'string' || slug.trim() === '') throw invalid(who, `evaluators[${i}]`, slug, 'a slug');
    if (slug.length > TRACE_LIMITS.slugChars) throw tooLong(who, `evaluators[${i}]`, TRACE_LIMITS.slugChars);
    return slug;
  });
}

/** The sample rate of `evaluationConfig`, the only key Basalt reads. */
export function checkEvaluationConfig(config: unknown, who: string): number | undefined {
  if (config === undefined || config === null) return undefined;
  if (typeof config !== 'object') throw invalid(who, 'evaluationConfig', config, 'an object');
  const rate = readField(config, 'sampleRate', who, 'evaluationConfig');
  return rate === undefined ? undefined : validSampleRate(rate, 'evaluationConfig.sampleRate');
}

/** An experiment (from `experiments.create`) or its id; `''` and `undefined` mean none. */
export function checkExperiment(experiment: unknown, who: string): ExperimentRef | undefined {
  if (experiment === undefined || experiment === null || experiment === '') return undefined;
  if (typeof experiment === 'string') return { id: requiredText(experiment, who, 'experiment') };
  if (typeof experiment !== 'object') throw invalid(who, 'experiment', experiment, 'an experiment or its id');
  const id = readField(experiment, 'id', who, 'experiment');
  if (typeof id !== 'string' || id === '') throw invalid(who, 'experiment.id', id, 'a non-empty string');
  return {
    id: requiredText(id, who, 'experiment.id'),
    name: text(readField(experiment, 'name', who, 'experiment'), who, 'experiment.name'),
    featureSlug: text(readField(experiment, 'featureSlug', who, 'experiment'), who, 'experiment.featureSlug'),
  };
}

/** A field read through a getter that may throw, or a Proxy: the failure names the field. */
function readField(holder: object, key: string, who: string, path: string): unknown {
  try {
    return (holder as Record<string, unknown>)[key];
  } catch {
    throw new BasaltConfigError(`${who}: ${path}.${key} could not be read`);
  }
}

/** A string (or a number or bigint, as text) within the bound; `undefined` stays `undefined`. */
function text(value: unknown, who: string, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const coerced = boundedString(value, Number.MAX_SAFE_INTEGER);
  if (coerced === undefined) throw invalid(who, field, value, 'a string or a number');
  if (coerced.length > TRACE_LIMITS.valueChars) throw tooLong(who, field, TRACE_LIMITS.valueChars);
  return coerced;
}

function requiredText(value: string, who: string, field: string): string {
  return text(value, who, field) ?? '';
}

function invalid(who: string, field: string, value: unknown, expected: string): BasaltConfigError {
  return new BasaltConfigError(`${who}: ${field} must be ${expected}; got ${describeType(value)}`);
}

function tooLong(who: string, field: string, max: number): BasaltConfigError {
  return new BasaltConfigError(`${who}: ${field} is longer than ${max} characters`);
}
