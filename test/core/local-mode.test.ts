import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Basalt, observe } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

describe('local mode', () => {
  it('writes every span to the trace file and prints the tree when the root ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'basalt-local-'));
    const file = join(dir, 'traces.jsonl');
    const printed: string[] = [];
    const log = console.log;
    console.log = (text: string) => printed.push(text);
    try {
      const basalt = new Basalt({ apiKey: '', logLevel: 'silent', telemetry: { localTraceFile: file } });
      const exp = await basalt.experiments.create({ featureSlug: 'support', name: 'Prompt v2' });
      await basalt.startObserve(
        { name: 'answer', featureSlug: 'support', experiment: exp, identity: { user: { id: 'u1', name: 'Ada' } } },
        async () => {
          await observe({ name: 'lookup', kind: 'retrieval' }, () => 'docs');
          await observe({ name: 'broken', kind: 'tool' }, () => Promise.reject(new Error('tool failed'))).catch(
            () => undefined,
          );
        },
      );
      await basalt.shutdown();
      const records = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; parentSpanId?: string; spanId: string; attributes: object });
      expect(records.map((r) => r.name).sort()).toEqual(['answer', 'broken', 'lookup']);
      const root = records.find((r) => r.name === 'answer');
      expect(records.find((r) => r.name === 'lookup')?.parentSpanId).toBe(root?.spanId);
      expect(root?.attributes).toMatchObject({ 'basalt.experiment.name': 'Prompt v2', 'basalt.user.id': 'u1' });
      const tree = printed.join('\n');
      expect(tree).toMatch(
        /● answer {2}basalt_trace .*feature=support {2}experiment=Prompt v2 \(local-.*user=u1 \(Ada\)/,
      );
      expect(tree).toMatch(/├─ lookup {2}retrieval/);
      expect(tree).toMatch(/└─ broken {2}tool .*ERROR Error tool failed/);
      expect(tree).toContain(file);
    } finally {
      console.log = log;
      await resetTracing();
    }
  });
});
