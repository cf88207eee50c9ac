import { describe, expect, it } from 'vitest';
import { toRecord } from '../../src/core/tracing/span-record.js';
import { formatTraceTree } from '../../src/core/tracing/trace-tree.js';
import { type Experiment, observe, type StartObserveOptions, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

async function failingTrace() {
  const t = setupTracing();
  await startObserve({ name: 'root', featureSlug: 'f', identity: { user: { id: 'u1' } } }, async () => {
    await observe({ name: 'ok-step', kind: 'function' }, () => 1);
    await observe({ name: 'bad-step', kind: 'tool' }, async () => {
      throw new RangeError('out of range');
    }).catch(() => undefined);
  });
  return (await t.spans()).map(toRecord);
}

/** The uncoloured tree of each root, in order, its durations replaced by `N ms`. */
async function printedRoots(...roots: StartObserveOptions[]): Promise<string[]> {
  const t = setupTracing({ telemetry: { sampleRate: 0 } });
  for (const options of roots) await startObserve(options, () => 1);
  const spans = await t.spans();
  return spans.map((span) => formatTraceTree([toRecord(span)], { color: false }).replace(/\d+(\.\d)? ms/g, 'N ms'));
}

const promptV2: Experiment = { id: 'exp-1', name: 'Prompt v2', featureSlug: 'support', createdAt: new Date(0) };

describe('formatTraceTree', () => {
  it('paints errors red and details dim when colour is on', async () => {
    const tree = formatTraceTree(await failingTrace(), { color: true });
    expect(tree).toContain('\x1b[31mERROR RangeError out of range\x1b[0m');
    expect(tree).toContain('\x1b[1mroot\x1b[0m');
  });

  it('writes no escape codes when colour is off', async () => {
    const tree = formatTraceTree(await failingTrace(), { color: false });
    expect(tree).not.toContain('\x1b[');
    expect(tree.split('\n')).toEqual([
      expect.stringMatching(/^● root {2}basalt_trace {2}[\d.]+ ms {2}feature=f {2}user=u1 {2}evaluate=false$/),
      expect.stringMatching(/^ {2}├─ ok-step {2}function {2}[\d.]+ ms$/),
      expect.stringMatching(/^ {2}└─ bad-step {2}tool {2}[\d.]+ ms {2}ERROR RangeError out of range$/),
    ]);
  });
});

describe('formatTraceTree › experiment', () => {
  it('prints an experiment given by id as experiment=<id>', async () => {
    expect(await printedRoots({ name: 'r', featureSlug: 'support', experiment: 'exp-42' })).toEqual([
      '● r  basalt_trace  N ms  feature=support  experiment=exp-42  evaluate=true',
    ]);
  });

  it('prints the name and id of an experiment of the trace’s feature', async () => {
    expect(await printedRoots({ name: 'r', featureSlug: 'support', experiment: promptV2 })).toEqual([
      '● r  basalt_trace  N ms  feature=support  experiment=Prompt v2 (exp-1)  evaluate=true',
    ]);
  });

  it('marks an experiment of another feature as ignored, with the flag the sample rate decided', async () => {
    const options = { featureSlug: 'billing', experiment: promptV2 };
    expect(
      await printedRoots({ ...options, name: 'r0' }, { ...options, name: 'r1', evaluationConfig: { sampleRate: 1 } }),
    ).toEqual([
      '● r0  basalt_trace  N ms  feature=billing  experiment=Prompt v2 (exp-1, ignored: feature "support")  evaluate=false',
      '● r1  basalt_trace  N ms  feature=billing  experiment=Prompt v2 (exp-1, ignored: feature "support")  evaluate=true',
    ]);
  });

  it('marks an unnamed experiment of another feature as ignored after its id', async () => {
    const experiment = { id: 'exp-7', featureSlug: 'support' };
    expect(await printedRoots({ name: 'r', featureSlug: 'billing', experiment })).toEqual([
      '● r  basalt_trace  N ms  feature=billing  experiment=exp-7 (ignored: feature "support")  evaluate=false',
    ]);
  });
});
