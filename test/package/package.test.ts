import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { makeRun, writeRun } from '../helpers/run-files.js';

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
  // Packed from a checkout without dist/, as `npm publish` from a fresh clone would: `prepack` builds it.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  scratch = mkdtempSync(join(root, 'node_modules', '.cache', 'basalt-package-'));
  const json = execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
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
    expect(paths).toEqual(
      expect.arrayContaining(['LICENSE', 'THIRD-PARTY-NOTICES.md', 'README.md', 'CHANGELOG.md', 'package.json']),
    );
    const rest = paths.filter(
      (p) => !/^(LICENSE|THIRD-PARTY-NOTICES\.md|README\.md|CHANGELOG\.md|package\.json)$/.test(p),
    );
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

  it('bundles the OpenTelemetry SDK: @opentelemetry/api is the only OpenTelemetry package it imports or declares', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const otel = (names: Iterable<string>) => [...names].filter((name) => name.startsWith('@opentelemetry/'));
    expect(otel(importedPackages(join(installed, 'dist')))).toEqual(['@opentelemetry/api']);
    expect(otel(Object.keys(pkg.dependencies))).toEqual([]);
    expect(otel(Object.keys(pkg.peerDependencies))).toEqual(['@opentelemetry/api']);
    // The 2.x SDK line's API (1.9) and the 3.x line's (1.10): one shared API copy in either app.
    expect(pkg.peerDependencies['@opentelemetry/api']).toBe('>=1.9.0 <1.11.0');
  });

  it('calls no require() in its ESM build, for bundled CommonJS code included', () => {
    const requiring = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.mjs'))
      .filter((file) => /\b__require\d*\(\s*["']/.test(readFileSync(join(installed, 'dist', file), 'utf8')));
    expect(requiring).toEqual([]);
  });

  it('names every bundled package, its version and its licence in THIRD-PARTY-NOTICES.md', () => {
    const notices = readFileSync(join(installed, 'THIRD-PARTY-NOTICES.md'), 'utf8');
    const bundled = new Set<string>();
    for (const file of readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' })) {
      if (!/\.(mjs|cjs)$/.test(file)) continue;
      const code = readFileSync(join(installed, 'dist', file), 'utf8');
      // esbuild heads each bundled module with its path: `// node_modules/<package>/...`.
      for (const [, name = ''] of code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) bundled.add(name);
    }
    expect([...bundled]).toEqual(expect.arrayContaining(['ky', '@opentelemetry/sdk-trace-base']));
    const missing = [...bundled].filter((name) => {
      const { version, license } = JSON.parse(
        readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string; license: string };
      return !notices.includes(`| \`${name}\` | ${version} | ${license} |`);
    });
    expect(missing).toEqual([]);
    expect(notices).toContain('Apache License');
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

  it('loads basalt-observe/experiments (Node only) from both builds; the core entry does not load it', () => {
    const names =
      'typeof m.compareRuns, typeof m.renderComparisonTable, typeof m.renderComparisonHtml, typeof m.readRuns';
    const esm = node([
      '--input-type=module',
      '-e',
      `const m = await import('basalt-observe/experiments'); console.log([${names}].join(','));`,
    ]);
    const cjs = node([
      '--input-type=commonjs',
      '-e',
      `const m = require('basalt-observe/experiments'); console.log([${names}].join(','));`,
    ]);
    expect([esm.trim(), cjs.trim()]).toEqual(Array(2).fill('function,function,function,function'));
    const loaded = node([
      '--input-type=commonjs',
      '-e',
      `require('basalt-observe'); console.log(Object.keys(require.cache).filter((p) => /[\\\\/]experiments[\\\\/]/.test(p)).length);`,
    ]);
    expect(loaded.trim()).toBe('0');
  });

  it('exposes the public API from both builds', () => {
    const script = `const m = MOD; console.log([typeof m.Basalt, typeof m.startObserve, typeof m.observe, typeof m.observe.setInput, typeof m.BasaltSpanProcessor, typeof m.createBasaltExporter, typeof m.isBasaltApiError, typeof m.BasaltContextManager].join(','));`;
    const esm = node(['--input-type=module', '-e', script.replace('MOD', "await import('basalt-observe')")]);
    const cjs = node(['--input-type=commonjs', '-e', script.replace('MOD', "require('basalt-observe')")]);
    expect(esm.trim()).toBe('function,function,function,function,function,function,function,function');
    expect(cjs.trim()).toBe(esm.trim());
  });

  it('does not load @grpc/grpc-js until a gRPC endpoint exports (#15)', () => {
    const out = node([
      '--input-type=commonjs',
      '-e',
      `require('basalt-observe'); require('basalt-observe/ai-sdk'); console.log(Object.keys(require.cache).filter((p) => /grpc/.test(p)).length);`,
    ]);
    expect(out.trim()).toBe('0');
    const files = readdirSync(dist).filter((f) => f.endsWith('.mjs'));
    const statics = new Set<string>();
    const visit = (file: string) => {
      if (statics.has(file)) return;
      statics.add(file);
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code).not.toMatch(/from\s*["']@grpc\/grpc-js["']/);
      for (const [, rel] of code.matchAll(/from\s*["']\.\/([^"']+\.mjs)["']/g)) if (rel) visit(rel);
    };
    visit('index.mjs');
    expect(files.length).toBeGreaterThan(0);
  });

  it('loads neither the experiment runner nor cli-progress until experiments.run (#13)', () => {
    const out = node([
      '--input-type=commonjs',
      '-e',
      `require('basalt-observe'); console.log(Object.keys(require.cache).filter((p) => /cli-progress|runner-|local-dataset-/.test(p)).length);`,
    ]);
    expect(out.trim()).toBe('0');
    const statics = new Set<string>();
    const visit = (file: string) => {
      if (statics.has(file)) return;
      statics.add(file);
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code).not.toMatch(/from\s*["']cli-progress["']/);
      expect(code).not.toMatch(/from\s*["']node:fs(\/promises)?["']/);
      for (const [, rel] of code.matchAll(/from\s*["']\.\/([^"']+\.mjs)["']/g)) if (rel) visit(rel);
    };
    visit('index.mjs');
    expect([...statics].filter((f) => /^(runner|local-dataset)-/.test(f))).toEqual([]);
  });

  it('runs an experiment with its progress bar from both builds (cli-progress loads)', () => {
    const script = `const m = MOD;
      const basalt = new m.Basalt({ logLevel: 'debug', telemetry: { enabled: false } });
      basalt.experiments.run({ featureSlug: 'f', name: 'n', data: [1, 2], task: (x) => x * 2, progress: true, save: false })
        .then((run) => console.log(run.results.map((r) => r.output).join(',')));`;
    for (const [type, load] of [
      ['module', "await import('basalt-observe')"],
      ['commonjs', "require('basalt-observe')"],
    ] as const) {
      const out = execFileSync(process.execPath, [`--input-type=${type}`, '-e', script.replace('MOD', load)], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toContain('2,4');
      expect(out).not.toContain('no progress bar');
    }
  });

  it('exports over OTLP/gRPC from both builds, loading the gRPC exporter on the first export', async () => {
    const receiver = await startOtlpReceiver({ protocol: 'grpc' });
    try {
      const body = (load: string, name: string) => `const m = ${load};
        const basalt = new m.Basalt({ apiKey: 'k', logLevel: 'silent', telemetry: { endpoint: ${JSON.stringify(receiver.endpoint)} } });
        await basalt.startObserve({ name: '${name}', featureSlug: 'f' }, async () => 1);
        await basalt.shutdown();
        console.log(JSON.stringify(basalt.stats()));`;
      // Not execFileSync: the receiver runs in this process and must answer meanwhile.
      const run = (args: string[]) =>
        promisify(execFile)(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
      const [esm, cjs] = await Promise.all([
        run(['--input-type=module', '-e', body("await import('basalt-observe')", 'grpc-esm')]),
        run(['--input-type=commonjs', '-e', `(async () => { ${body("require('basalt-observe')", 'grpc-cjs')} })()`]),
      ]);
      for (const out of [esm.stdout, cjs.stdout])
        expect(JSON.parse(out)).toMatchObject({ exported: 1, failedExports: 0 });
      const spans = await receiver.waitForSpans(2, 10_000);
      expect(spans.map((s) => s.name).sort()).toEqual(['grpc-cjs', 'grpc-esm']);
      expect(receiver.requests.every((r) => r.headers.authorization === 'Bearer k')).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 60_000);

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

  it('records a child of a manual root made by the other build (#10.18)', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
       import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
       const esm = await import('basalt-observe');
       const cjs = createRequire(import.meta.url)('basalt-observe');
       const exporter = new InMemorySpanExporter();
       const basalt = new esm.Basalt({ logLevel: 'silent', telemetry: { exporter } });
       const root = esm.startObserve({ name: 'root', featureSlug: 'f' });
       cjs.observe({ name: 'child', parent: root }, () => 1);
       root.end();
       await basalt.flush();
       const spans = exporter.getFinishedSpans();
       const child = spans.find((s) => s.name === 'child');
       console.log(spans.length, child?.parentSpanContext?.spanId === root.spanId);`,
    ]);
    expect(out.trim()).toBe('2 true');
  });
});

describe('edge build of the packed tarball (#15, docs/runtimes.md)', () => {
  const subpaths = { '.': 'index', './ai-sdk': 'adapters/ai-sdk/index', './langchain': 'adapters/langchain/index' };

  it('sends workerd, edge-light, worker and browser to dist/edge, import and require to the Node build', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, { types: string; default: string }>>;
    };
    for (const [subpath, base] of Object.entries(subpaths)) {
      const conditions = pkg.exports[subpath] ?? {};
      expect(Object.keys(conditions)).toEqual(['workerd', 'edge-light', 'worker', 'browser', 'import', 'require']);
      for (const edge of ['workerd', 'edge-light', 'worker', 'browser']) {
        expect(conditions[edge]).toEqual({ types: `./dist/${base}.d.ts`, default: `./dist/edge/${base}.mjs` });
        expect(statSync(join(installed, `dist/edge/${base}.mjs`)).isFile()).toBe(true);
      }
      expect(conditions.import?.default).toBe(`./dist/${base}.mjs`);
    }
  });

  it('imports only its peers: no Node built-in, no gRPC, no ky, no other package', () => {
    expect([...importedPackages(join(installed, 'dist', 'edge'))].sort()).toEqual([
      '@langchain/core',
      '@opentelemetry/api',
    ]);
    for (const file of readdirSync(join(installed, 'dist', 'edge'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.mjs')) continue;
      const code = readFileSync(join(installed, 'dist', 'edge', file), 'utf8');
      expect(code).not.toMatch(/@grpc\/grpc-js|(?:from|import\s*\(|require\s*\()\s*["']node:/);
      // Buffer.byteLength appears once, behind a typeof check (truncate.ts); nothing else of Buffer. The
      // context-async-hooks manager is not bundled (its name may appear in a diagnosis's fix text).
      expect(code).not.toMatch(
        /\bBuffer\.(?:from|alloc|concat)|require_AsyncLocalStorageContextManager|exports\.AsyncLocalStorageContextManager/,
      );
    }
  });

  it('exports the same names as the Node build from each entry', () => {
    const script = `const names = async (p) => Object.keys(await import(p)).sort().join(',');
      const out = [];
      for (const base of ${JSON.stringify(Object.values(subpaths))}) {
        out.push((await names('./dist/edge/' + base + '.mjs')) === (await names('./dist/' + base + '.mjs')));
      }
      console.log(out.join(','));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: installed,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.trim()).toBe('true,true,true');
  });

  it("names the setting a gRPC endpoint came from: with an API key, OpenTelemetry's variables are not it", () => {
    // With a key, OTEL_EXPORTER_OTLP_ENDPOINT is ignored and spans go to Basalt's (gRPC) default; the
    // warning used to blame the ignored variable for Basalt's URL.
    const script = `const { Basalt } = await import('./dist/edge/index.mjs');
      const told = [];
      console.warn = (...args) => told.push(args.join(' '));
      new Basalt(JSON.parse(process.argv[1]));
      console.log(JSON.stringify(told.filter((line) => line.includes('gRPC'))));`;
    const warned = (options: object, variables: Record<string, string>) => {
      const env: Record<string, string | undefined> = { ...process.env };
      for (const name of Object.keys(env)) if (/^(BASALT_|OTEL_)/.test(name)) delete env[name];
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(options)], {
        cwd: installed,
        env: { ...env, ...variables },
        encoding: 'utf8',
        timeout: 30_000,
      });
      return (JSON.parse(out) as string[]).map((line) => line.split(' is an OTLP/gRPC endpoint (')[0]);
    };
    expect(warned({ apiKey: 'k' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual([
      "[basalt] Basalt's default endpoint (used with an API key)",
    ]);
    expect(
      warned({ telemetry: { endpoint: '' } }, { BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: 'https://grpc.example.com' }),
    ).toEqual(['[basalt] BASALT_OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(warned({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4317' })).toEqual([
      '[basalt] OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ]);
  });
});

describe('the basalt-observe bin of the packed tarball', () => {
  /** The environment of local mode, without colours. */
  const localEnv = () => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of Object.keys(env)) if (/^(BASALT_|OTEL_|FORCE_COLOR$)/.test(name)) delete env[name];
    return { ...env, NO_COLOR: '1' };
  };
  /** Runs the bin as a user's shell would: the file itself, by its shebang, in the scratch app. */
  const bin = (args: string[], cwd = scratch) => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const file = join(installed, pkg.bin['basalt-observe'] ?? 'missing');
    const run = spawnSync(file, args, { cwd, env: localEnv(), encoding: 'utf8', timeout: 30_000 });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };

  it('is dist/cli.mjs: executable, with a node shebang, importing Node built-ins only', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ 'basalt-observe': 'dist/cli.mjs' });
    const file = join(installed, 'dist', 'cli.mjs');
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o111).toBe(0o111);
    const cliOnly = mkdtempSync(join(scratch, 'cli-'));
    writeFileSync(join(cliOnly, 'cli.mjs'), readFileSync(file));
    expect(
      [...importedPackages(cliOnly)].filter((name) => !builtinModules.includes(name.replace(/^node:/, ''))),
    ).toEqual([]);
  });

  it('is loaded by no entry of the library', () => {
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(join(installed, 'dist', file), 'utf8');
      for (const [, rel] of code.matchAll(/(?:from|import\(|require\()\s*["']\.\/([^"']+\.[mc]js)["']/g))
        if (rel) visit(rel);
    };
    for (const entry of ['index', 'adapters/ai-sdk/index', 'adapters/langchain/index']) {
      visit(`${entry}.mjs`);
      visit(`${entry}.cjs`);
    }
    expect([...loaded].filter((file) => file.includes('cli'))).toEqual([]);
  });

  it('re-prints with `traces` the trees an app printed in local mode, and exits 1 without a trace file', async () => {
    const app = mkdtempSync(join(scratch, 'app-'));
    // The app imports the installed package (scratch/node_modules) from a folder of its own.
    const script = `import { Basalt, observe } from 'basalt-observe';
      const basalt = new Basalt();
      for (const i of [0, 1, 2]) {
        await basalt.startObserve({ name: 'ticket-' + i, featureSlug: 'support', experiment: 'exp-' + i }, () =>
          observe({ name: 'lookup', kind: 'retrieval' }, () => i));
      }
      await basalt.shutdown();`;
    writeFileSync(join(app, 'app.mjs'), script);
    const printed = await promisify(execFile)(process.execPath, ['app.mjs'], {
      cwd: app,
      env: localEnv(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(printed.stdout).toMatch(/^● ticket-0 {2}basalt_trace .* experiment=exp-0 {2}evaluate=true$/m);
    const last2 = printed.stdout
      .split(/(?<=\n\n)/)
      .slice(-2)
      .join('');
    expect(bin(['traces', '--last', '2'], app)).toEqual({ code: 0, out: last2, err: '' });

    const none = bin(['traces'], scratch);
    expect(none.code).toBe(1);
    expect(none.err).toContain(`no trace file at ${join(scratch, '.basalt', 'traces.jsonl')}`);
  });

  it('compares two run files with `compare`: the table, then the report it wrote', () => {
    const app = mkdtempSync(join(scratch, 'runs-'));
    const dir = join(app, '.basalt', 'experiments');
    writeRun(dir, makeRun({ name: 'first', count: 3, createdAt: '2026-12-01T06:00:00.000Z' }));
    writeRun(dir, makeRun({ name: 'second', count: 3, createdAt: '2026-12-01T07:00:00.000Z', fails: (i) => i === 1 }));
    const { code, out, err } = bin(['compare'], app);
    expect([code, err]).toEqual([0, '']);
    expect(out).toMatch(/\n2\. second +3 \(±0\) +2 +1 \(\+1\) /);
    const report = /\nReport: (\S+)\n$/.exec(out)?.[1];
    expect(readFileSync(join(app, report ?? 'missing'), 'utf8')).toContain('<h1>Experiment runs compared</h1>');
  });

  it('prints its commands with --help and "unknown command" with exit 1 for others', () => {
    const help = bin(['--help']);
    expect([help.code, help.err]).toEqual([0, '']);
    expect(help.out).toMatch(/^ {2}traces {2}/m);
    const unknown = bin(['compare-runs']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^basalt-observe: unknown command "compare-runs"/);
  });
});

/**
 * A consumer's file: all three entries by name. `IsAny` is true for a type that did not resolve, ours
 * or one that our declarations import (skipLibCheck hides a failed import inside a .d.ts).
 */
const CONSUMER = `import { Basalt, type BasaltOptions, type BasaltSpanProcessor, startObserve } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';

// Not \`0 extends 1 & T\`: that says false for the any of an unresolved import.
type IsAny<T> = [unknown] extends [T] ? ([T] extends [{ unlikely: 'brand' }] ? true : false) : false;
type Resolved = [
  IsAny<typeof startObserve>,
  IsAny<typeof basaltMiddleware>,
  IsAny<typeof BasaltCallbackHandler>,
  IsAny<Parameters<BasaltSpanProcessor['onStart']>[0]>, // the SDK span (sdk-types.ts, over @opentelemetry/api)
  IsAny<Parameters<BasaltSpanProcessor['onStart']>[1]>, // @opentelemetry/api
  IsAny<BasaltCallbackHandler['raiseError']>, // inherited from @langchain/core
];
export const resolved: Resolved = [false, false, false, false, false, false];
const options: BasaltOptions = { logLevel: 'silent' };
export const client = new Basalt(options);
`;

/** Each moduleResolution a consumer may use, the module kind that goes with it, and its files. */
const RESOLUTIONS = {
  // TypeScript 6 deprecates node10 (removed in 7); apps on older compilers still use it (issue #11).
  node10: { module: 'commonjs', files: ['consumer.ts'], ignoreDeprecations: '6.0' },
  node16: { module: 'node16', files: ['consumer.mts', 'consumer.cts'] },
  nodenext: { module: 'nodenext', files: ['consumer.mts', 'consumer.cts'] },
  bundler: { module: 'esnext', files: ['consumer.ts'] },
} as const;

/** The declaration files that each resolution must load from the unpacked tarball. */
function expectedTypes(resolution: keyof typeof RESOLUTIONS): string[] {
  const exts = { node10: ['.d.cts'], node16: ['.d.ts', '.d.cts'], nodenext: ['.d.ts', '.d.cts'], bundler: ['.d.ts'] };
  const entries = ['index', 'adapters/ai-sdk/index', 'adapters/langchain/index'];
  return exts[resolution].flatMap((ext) => entries.map((entry) => join(installed, 'dist', `${entry}${ext}`)));
}

describe('types of the packed tarball, as tsc resolves them', () => {
  /** tsc's output (files it loaded, errors) for each resolution, from one `tsc --build` of all four. */
  const output: Record<string, string[]> = {};

  beforeAll(async () => {
    // Its own package.json keeps tsc from resolving `basalt-observe` to the repository itself.
    writeFileSync(join(scratch, 'package.json'), '{ "name": "consumer", "private": true }\n');
    for (const file of ['consumer.ts', 'consumer.mts', 'consumer.cts']) writeFileSync(join(scratch, file), CONSUMER);
    for (const [resolution, { files, ...compilerOptions }] of Object.entries(RESOLUTIONS)) {
      const tsconfig = {
        compilerOptions: {
          ...compilerOptions,
          moduleResolution: resolution,
          target: 'ES2022',
          strict: true,
          noEmit: true,
          // As most apps have it; and checking every library's declarations would take 6 times as long.
          skipLibCheck: true,
          types: ['node'],
        },
        files,
      };
      writeFileSync(join(scratch, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
    }
    // One build process for the four projects: the libraries' declarations are parsed once, not four times.
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const projects = Object.keys(RESOLUTIONS).map((resolution) => `tsconfig.${resolution}.json`);
    const args = [tsc, '--build', ...projects, '--verbose', '--listFiles', '--pretty', 'false'];
    const out = await promisify(execFile)(process.execPath, args, { cwd: scratch, timeout: 90_000 }).then(
      (r) => r.stdout,
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    let current = '';
    for (const line of out.split('\n')) {
      current = /Building project '.*tsconfig\.(\w+)\.json'/.exec(line)?.[1] ?? current;
      const section = output[current] ?? [];
      section.push(line);
      output[current] = section;
    }
  }, 120_000);

  for (const resolution of Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]) {
    it(`resolves and checks all three entries with moduleResolution ${resolution}`, () => {
      const lines = output[resolution] ?? [];
      expect(lines.filter((line) => /error TS\d+/.test(line))).toEqual([]);
      expect(lines).toEqual(expect.arrayContaining(expectedTypes(resolution)));
      expect(lines.filter((line) => line.startsWith(`${dist}/`))).toEqual([]);
    });
  }

  it('prints no error outside the four projects', () => {
    // What tsc --build prints before its first project (a bad tsconfig, say) lands here.
    expect((output[''] ?? []).filter((line) => /error TS\d+/.test(line))).toEqual([]);
  });
});
