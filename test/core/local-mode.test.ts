import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Basalt, observe } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { resetTracing } from '../helpers/tracing.js';

describe('local mode', () => {
  it('writes every span to the trace file and prints the tree when the root ends', async () => {
    const dir = tempDir('basalt-local-');
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

  it('prints, with NO_COLOR, an experiment Basalt ignores and the evaluation flag sent', async () => {
    const file = join(tempDir('basalt-local-'), 'traces.jsonl');
    const printed: string[] = [];
    const log = console.log;
    const env = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    console.log = (text: string) => printed.push(text);
    process.env.NO_COLOR = '1';
    delete process.env.FORCE_COLOR;
    try {
      const basalt = new Basalt({ apiKey: '', logLevel: 'silent', telemetry: { localTraceFile: file, sampleRate: 0 } });
      const exp = await basalt.experiments.create({ featureSlug: 'support', name: 'Prompt v2' });
      await basalt.startObserve({ name: 'invoice', featureSlug: 'billing', experiment: exp }, () => 1);
      await basalt.startObserve({ name: 'by-id', featureSlug: 'billing', experiment: exp.id }, () => 1);
      await basalt.shutdown();
      const lines = printed
        .join('\n')
        .replaceAll(exp.id, '<exp>')
        .replace(/\d+(\.\d)? ms/g, 'N ms')
        .replace(/trace [0-9a-f]{32}/g, 'trace <id>')
        .split('\n');
      expect(lines).toEqual([
        '● invoice  basalt_trace  N ms  feature=billing  experiment=Prompt v2 (<exp>, ignored: feature "support")  evaluate=false',
        `  trace <id> → ${file}`,
        '',
        '● by-id  basalt_trace  N ms  feature=billing  experiment=<exp>  evaluate=true',
        `  trace <id> → ${file}`,
        '',
      ]);
    } finally {
      console.log = log;
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await resetTracing();
    }
  });
});
