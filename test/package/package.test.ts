import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist');
const ENTRIES = ['basalt-observe', 'basalt-observe/ai-sdk', 'basalt-observe/langchain'];

/** Runs a script in a fresh Node process from the repository root (the package imports itself by name). */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

/** What `npm pack --json` says about the tarball. */
interface Packed {
  filename: string;
  files: { path: string }[];
}

/**
 * A scratch project under the repository's node_modules/.cache, with the packed tarball unpacked as
 * its node_modules/basalt-observe: the package's own dependencies then resolve from the repository's
 * node_modules, as they would from an app's.
 */
let scratch = '';
let packed: Packed;
let installed = '';

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe', timeout: 120_000 });
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  scratch = mkdtempSync(join(root, 'node_modules', '.cache', 'basalt-package-'));
  const json = execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  [packed] = JSON.parse(json) as [Packed];
  installed = join(scratch, 'node_modules', 'basalt-observe');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(scratch, packed.filename), '-C', installed, '--strip-components=1']);
}, 150_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The packages that the built JS files in `dir` import or require by bare name (bundled code included). */
function importedPackages(dir: string): Set<string> {
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g;
  const names = new Set<string>();
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.(mjs|cjs)$/.test(file)) continue;
    for (const [, spec = ''] of readFileSync(join(dir, file), 'utf8').matchAll(specifier)) {
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec));
    }
  }
  return names;
}

describe('packed tarball', () => {
  it('holds the built dist, the package metadata and the licence, nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']));
    const rest = paths.filter((p) => !/^(LICENSE|README\.md|CHANGELOG\.md|package\.json)$/.test(p));
    expect(rest.filter((p) => !/^dist\/.+\.(mjs|cjs|d\.ts|d\.cts)$/.test(p))).toEqual([]);
  });

  it('ships no source maps and points to none (docs/decisions.md)', () => {
    const built = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(built.filter((file) => file.endsWith('.map'))).toEqual([]);
    const linking = built.filter(
      (file) =>
        /\.(mjs|cjs)$/.test(file) && readFileSync(join(installed, 'dist', file), 'utf8').includes('sourceMappingURL'),
    );
    expect(linking).toEqual([]);
  });

  it('imports at run time only its dependencies, its peers and Node built-ins; ky is bundled', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const imported = [...importedPackages(join(installed, 'dist'))].filter(
      (name) => !name.startsWith('node:') && !builtinModules.includes(name),
    );
    const declared = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];
    expect(imported.filter((name) => !declared.includes(name))).toEqual([]);
    // Every dependency is used: one that is not would be installed for nothing.
    expect(Object.keys(pkg.dependencies).filter((name) => !imported.includes(name))).toEqual([]);
    expect(imported).not.toContain('ky');
    expect(Object.keys(pkg.dependencies)).not.toContain('ky');
    const bundlesKy = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(mjs|cjs)$/.test(file))
      .map((file) => readFileSync(join(installed, 'dist', file), 'utf8'))
      .filter((code) => code.includes('MIT License © Sindre Sorhus'));
    expect(bundlesKy.length).toBeGreaterThanOrEqual(2); // ky's licence comment, in the ESM and the CJS build
  });

  it('ships the MIT licence that package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 basalt-observe contributors\n/,
    );
  });
});

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
