import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** Runs an example in local mode (no key, no endpoint) and returns its output and trace file. */
export async function runExample(
  file: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; spans: SpanRecord[] }> {
  const traceFile = join(mkdtempSync(join(tmpdir(), 'basalt-example-')), 'traces.jsonl');
  const { stdout } = await promisify(execFile)(tsx, [join('examples', file)], {
    cwd: root,
    timeout: 60_000,
    env: {
      ...process.env,
      BASALT_API_KEY: '',
      OPENAI_API_KEY: '',
      BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: '',
      BASALT_LOCAL_TRACE_FILE: traceFile,
      NO_COLOR: '1',
      ...env,
    },
  });
  let spans: SpanRecord[] = [];
  try {
    spans = readFileSync(traceFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SpanRecord);
  } catch {
    // No trace file: the assertions below say so.
  }
  return { stdout, spans };
}

const roots = (spans: SpanRecord[]) => spans.filter((s) => s.attributes['basalt.root'] === true);

describe('examples in local mode', () => {
  it('experiment.ts: one trace per item, each with the experiment and its identity', async () => {
    const { stdout, spans } = await runExample('experiment.ts');
    const traces = roots(spans);
    expect(traces).toHaveLength(2);
    expect(traces.map((r) => r.attributes['basalt.user.id'])).toEqual(['456', '789']);
    for (const r of traces) {
      expect(r.attributes['basalt.experiment.name']).toBe('Ticket Analysis');
      expect(String(r.attributes['basalt.experiment.id'])).toMatch(/^local-/);
      expect(r.attributes['basalt.span.should_evaluate']).toBe(true);
      const child = spans.find((s) => s.parentSpanId === r.spanId);
      expect(child?.name).toBe('classify');
      expect(child?.attributes['basalt.user.id']).toBe(r.attributes['basalt.user.id']);
    }
    expect(stdout).toContain('● analyse_ticket');
  });

  it('core-quickstart.ts: a nested request trace and a failed one that still reaches the caller', async () => {
    const { stdout, spans } = await runExample('core-quickstart.ts');
    expect(stdout).toContain('caller still sees: upstream unavailable');
    expect(spans.map((s) => s.name).sort()).toEqual(['answer_question', 'compose', 'failing_request', 'search_docs']);
    expect(stdout).toMatch(/failing_request .*ERROR/);
  });

  it('serverless-flush.ts: every invocation is exported by its own flush', async () => {
    const { stdout, spans } = await runExample('serverless-flush.ts');
    expect(roots(spans)).toHaveLength(2);
    expect(stdout).toContain('stats: { exported: 2, droppedQueueFull: 0, failedExports: 0 }');
  });

  it('own-provider.ts: Basalt spans go through the app-owned NodeSDK provider', async () => {
    const { spans } = await runExample('own-provider.ts');
    const root = roots(spans)[0];
    expect(root?.name).toBe('checkout');
    const card = spans.find((s) => s.name === 'charge card');
    expect(card?.parentSpanId).toBe(root?.spanId);
    expect(card?.attributes['basalt.user.id']).toBe('u-42');
  });
});
