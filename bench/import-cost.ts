import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './harness.js';

/** What `npm run bench` imports in fresh processes: label → module specifier, resolved from the repo root. */
export const IMPORTS: Record<string, string> = {
  'basalt-observe': pathToFileURL('node_modules/.cache/basalt-bench/index.mjs').href,
  'basalt-observe/ai-sdk': pathToFileURL('node_modules/.cache/basalt-bench/adapters/ai-sdk/index.mjs').href,
  '@opentelemetry/sdk-trace-base': '@opentelemetry/sdk-trace-base',
  '@langfuse/tracing': '@langfuse/tracing',
};

/** CPU µs (user + system) of one `import()` in a fresh node process. */
function importCpu(specifier: string): Promise<number> {
  const source = `const c = process.cpuUsage(); await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(c); process.stdout.write(String(u.user + u.system));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`import of ${specifier} exited ${code}`)),
    );
  });
}

/** Median CPU ms to import each module, `reps` fresh processes each, interleaved (a slow moment hits all alike). */
export async function benchImports(reps: number): Promise<Map<string, { ms: number; runs: number[] }>> {
  const runs = new Map<string, number[]>(Object.keys(IMPORTS).map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    for (const [label, specifier] of Object.entries(IMPORTS))
      runs.get(label)?.push((await importCpu(specifier)) / 1000);
  }
  return new Map([...runs].map(([label, ms]) => [label, { ms: median(ms), runs: ms }]));
}
