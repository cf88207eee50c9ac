import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Experiment } from '../core/experiments.js';
import { type ExperimentRef, getTraceState, type UsageTotals } from '../core/tracing/context.js';
import { startObserve } from '../core/tracing/observe.js';
import { describeValue } from '../core/values.js';
import { itemKey, type RunResult } from './run-file.js';
import type { CheckedRunOptions, Scorer } from './run-options.js';

/** Longest error message kept per item or score, in characters. */
const MAX_MESSAGE_LENGTH = 1000;

/** What every item of one run shares. */
export interface ItemRunner<Item, Output> {
  checked: CheckedRunOptions<Item, Output>;
  /** The root span's name: the run's name. */
  name: string;
  experiment: Experiment | ExperimentRef | string;
  signal: AbortSignal;
}

/**
 * Runs one item in its own Basalt trace: a `startObserve` root (in the root context, so never a
 * child of a trace active around `experiments.run`) named after the run, with the item as input,
 * the output as output, and the experiment, identity and evaluators attached. The task's error is
 * recorded on the root by `startObserve` and kept in the result; this function never rejects.
 */
export async function runItem<Item, Output>(
  runner: ItemRunner<Item, Output>,
  item: Item,
  index: number,
): Promise<RunResult> {
  const { options, featureSlug, scorers } = runner.checked;
  const result = emptyResult(item, index);
  let totals: UsageTotals | undefined;
  try {
    const identity = options.identity ? options.identity(item) : undefined;
    const root = {
      name: runner.name,
      featureSlug,
      experiment: runner.experiment,
      identity,
      evaluators: options.evaluators,
      evaluationConfig: options.evaluationConfig,
      input: item,
      parent: ROOT_CONTEXT,
    };
    await startObserve(root, async (span) => {
      result.traceId = span.traceId ?? null;
      const state = getTraceState(span.context);
      if (state) {
        totals = { inputTokens: 0, outputTokens: 0, spans: 0 };
        state.usage = totals;
      }
      const started = performance.now();
      let output!: Output;
      try {
        output = await options.task(item, { span, index, signal: runner.signal });
      } finally {
        // The task's time and usage, whether it returned or threw; scoring is not part of them.
        result.durationMs = performance.now() - started;
        result.usage = usageOf(totals);
      }
      result.output = output;
      span.setOutput(output);
      if (scorers.length > 0) await score(scorers, item, output, index, result, span);
    });
    result.status = 'succeeded';
  } catch (error) {
    // A task that fails once the run is aborted stopped because of the abort: it is cancelled.
    result.status = runner.signal.aborted ? 'cancelled' : 'failed';
    result.output = null;
    result.error = errorOf(error);
  }
  return result;
}

/** The result of an item that never started (the run was aborted first). */
export function cancelledResult(item: unknown, index: number): RunResult {
  const result = emptyResult(item, index);
  result.status = 'cancelled';
  return result;
}

function emptyResult(item: unknown, index: number): RunResult {
  return {
    index,
    key: itemKey(item),
    item,
    status: 'failed',
    output: null,
    error: null,
    durationMs: 0,
    traceId: null,
    usage: null,
    scores: {},
    scoreErrors: {},
  };
}

function usageOf(totals: UsageTotals | undefined): RunResult['usage'] {
  return totals && totals.spans > 0 ? { inputTokens: totals.inputTokens, outputTokens: totals.outputTokens } : null;
}

/**
 * Runs the scorers one after the other (after the task, so their own model calls, if any, do not
 * count in the item's usage). A boolean is stored as 1/0; a throw or a value that is not a finite
 * number or a boolean is an entry in `scoreErrors`. Scores also go into the root's metadata as
 * `scores.<name>` (and errors as `scoreErrors.<name>`), next to, never instead of, Basalt's evaluators.
 */
async function score<Item, Output>(
  scorers: Array<[string, Scorer<Item, Output>]>,
  item: Item,
  output: Output,
  index: number,
  result: RunResult,
  span: { setMetadata(metadata: Record<string, unknown>): unknown },
): Promise<void> {
  const metadata: Record<string, unknown> = {};
  for (const [name, scorer] of scorers) {
    try {
      const value = await scorer({ item, output, index });
      if (typeof value === 'boolean') result.scores[name] = value ? 1 : 0;
      else if (typeof value === 'number' && Number.isFinite(value)) result.scores[name] = value;
      else throw new Error(`returned ${describeValue(value)}, not a finite number or a boolean`);
      metadata[`scores.${name}`] = result.scores[name];
    } catch (error) {
      const message = errorOf(error).message;
      result.scoreErrors[name] = message;
      metadata[`scoreErrors.${name}`] = message;
    }
  }
  span.setMetadata(metadata);
}

function errorOf(error: unknown): { name: string; message: string } {
  try {
    if (error instanceof Error) {
      return { name: String(error.name), message: String(error.message).slice(0, MAX_MESSAGE_LENGTH) };
    }
    return { name: 'Error', message: describeValue(error) };
  } catch {
    return { name: 'Error', message: 'an unreadable error' };
  }
}
