import { afterEach, describe, expect, it, vi } from 'vitest';
import { setupTracing } from '../helpers/tracing.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ values: { n: i } }));
const descriptor = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');

afterEach(() => {
  vi.restoreAllMocks();
  if (descriptor) Object.defineProperty(process.stderr, 'isTTY', descriptor);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
});

function captureStderr(): string[] {
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}

describe('experiments.run › progress', () => {
  it('draws a bar on stderr when it is a TTY: done/total and failures', async () => {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    const t = setupTracing({ telemetry: { enabled: false } });
    const written = captureStderr();
    await t.basalt.experiments.run({
      featureSlug: 'support',
      name: 'tty',
      data: rows(3),
      task: (row) => {
        if (row.values.n === 2) throw new Error('no');
      },
      save: false,
    });
    const text = written.join('');
    expect(text).toContain('3/3');
    expect(text).toContain('1 failed');
  });

  it('writes nothing to stderr when it is not a TTY (CI, pipes)', async () => {
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const t = setupTracing({ telemetry: { enabled: false } });
    const written = captureStderr();
    await t.basalt.experiments.run({ featureSlug: 'support', name: 'pipe', data: rows(3), task: () => 1, save: false });
    expect(written).toEqual([]);
  });
});
