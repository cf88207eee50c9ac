import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a TypeScript app (`node --import tsx script ...args`) in a child process from the repository
 * root, and resolves to the JSON of the last line it prints once it exits with 0. The child is killed
 * after `timeoutMs`; a failure rejects with the first `stderrChars` of its stderr. For apps whose
 * instrumentation patches modules for their whole process.
 */
export function runChildApp<T>(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs: number; stderrChars: number },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as T);
      else reject(new Error(`app exited with ${code}: ${stderr.slice(0, options.stderrChars)}`));
    });
  });
}
