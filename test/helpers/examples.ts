import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp.js';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** Runs an example in local mode (no key, no endpoint) and returns its output and trace file. */
export async function runExample(
  file: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; spans: SpanRecord[] }> {
  const traceFile = join(tempDir('basalt-example-'), 'traces.jsonl');
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
