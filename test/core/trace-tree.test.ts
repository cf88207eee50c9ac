import { describe, expect, it } from 'vitest';
import { formatTraceTree } from '../../src/core/tracing/trace-tree.js';
import { observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

async function failingTrace() {
  const t = setupTracing();
  await startObserve({ name: 'root', featureSlug: 'f', identity: { user: { id: 'u1' } } }, async () => {
    await observe({ name: 'ok-step', kind: 'function' }, () => 1);
    await observe({ name: 'bad-step', kind: 'tool' }, async () => {
      throw new RangeError('out of range');
    }).catch(() => undefined);
  });
  return t.spans();
}

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
