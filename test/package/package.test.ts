import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const ENTRIES = ['basalt-observe', 'basalt-observe/ai-sdk', 'basalt-observe/langchain'];

/** Runs a script in a fresh Node process from the repository root (the package imports itself by name). */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
}, 150_000);

describe('built package', () => {
  it('loads all three entries with ESM import', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `for (const e of ${JSON.stringify(ENTRIES)}) { const m = await import(e); console.log(e, Object.keys(m).length); }`,
    ]);
    for (const entry of ENTRIES) expect(out).toMatch(new RegExp(`^${entry} [1-9]`, 'm'));
  });

  it('loads all three entries with CJS require', () => {
    const out = node([
      '--input-type=commonjs',
      '-e',
      `for (const e of ${JSON.stringify(ENTRIES)}) console.log(e, Object.keys(require(e)).length);`,
    ]);
    for (const entry of ENTRIES) expect(out).toMatch(new RegExp(`^${entry} [1-9]`, 'm'));
  });

  it('exposes the public API from both builds', () => {
    const script = `const m = MOD; console.log([typeof m.Basalt, typeof m.startObserve, typeof m.observe, typeof m.observe.setInput, typeof m.BasaltSpanProcessor, typeof m.createBasaltExporter, typeof m.isBasaltApiError].join(','));`;
    const esm = node(['--input-type=module', '-e', script.replace('MOD', "await import('basalt-observe')")]);
    const cjs = node(['--input-type=commonjs', '-e', script.replace('MOD', "require('basalt-observe')")]);
    expect(esm.trim()).toBe('function,function,function,function,function,function,function');
    expect(cjs.trim()).toBe(esm.trim());
  });

  it('does not load ai or @langchain/core when the core entry is required', () => {
    const out = node([
      '--input-type=commonjs',
      '-e',
      `require('basalt-observe'); console.log(Object.keys(require.cache).filter((p) => /node_modules[\\\\/](ai|@langchain[\\\\/]core)[\\\\/]/.test(p)).length);`,
    ]);
    expect(out.trim()).toBe('0');
  });

  it('has no import of ai or @langchain/core in the ESM core graph', () => {
    const files = readdirSync(dist).filter((f) => f.endsWith('.mjs'));
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code).not.toMatch(/from\s*["'](ai|@langchain\/core[^"']*)["']|import\(["'](ai|@langchain\/core)/);
      for (const [, rel] of code.matchAll(/from\s*["']\.\/([^"']+\.mjs)["']/g)) if (rel) visit(rel);
    };
    expect(files).toContain('index.mjs');
    visit('index.mjs');
    expect(seen.size).toBeGreaterThan(0);
  });

  it('shares one tracing singleton between the ESM and CJS copies', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       const esm = await import('basalt-observe');
       const cjs = createRequire(import.meta.url)('basalt-observe');
       new esm.Basalt({ logLevel: 'silent', telemetry: { printTraces: false, localTraceFile: '/dev/null' } });
       let inner;
       await esm.startObserve({ name: 'r', featureSlug: 'f' }, async () => { inner = cjs.observe.current(); });
       console.log(inner ? inner.name : 'none');`,
    ]);
    expect(out.trim()).toBe('r');
  });
});
