import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * What stays outside the bundle: `@opentelemetry/api` (the peer every OpenTelemetry package of the app
 * shares) and `@grpc/grpc-js` (a dependency, loaded only for a gRPC endpoint). Everything else the
 * package imports is bundled: ky, and the OpenTelemetry SDK pieces we run (docs/decisions.md, "One
 * OpenTelemetry API, either SDK line").
 */
const EXTERNAL = /^(@opentelemetry\/api|@grpc\/grpc-js)(\/.*)?$/;

/**
 * Keeps `EXTERNAL` external, in place of tsup's own external plugin (which runs before ours, so they
 * are listed in `noExternal` to get here). Some bundled SDK packages are CommonJS only
 * (context-async-hooks, the gRPC exporter): in the ESM build their `require('@opentelemetry/api')`,
 * `require('@grpc/grpc-js')` and `require('async_hooks')` would be esbuild's `__require`, which throws
 * ("Dynamic require ... is not supported") where there is no `require`. There, each such `require`
 * reads a module that re-exports the package with `export *`: a static import in the chunk that needs
 * it, so the ESM build never calls `require` and loads the same ESM `@opentelemetry/api` as our code.
 */
const externals: EsbuildPlugin = {
  name: 'basalt-externals',
  setup(build) {
    const esm = build.initialOptions.format === 'esm';
    // The resources package's host detector loads its machine-id readers with import(); we never
    // detect resources, and esbuild would still emit each reader as a chunk that nothing loads.
    build.onResolve({ filter: /^\.\/getMachineId-/ }, (args) =>
      args.kind === 'dynamic-import' && /[\\/]@opentelemetry[\\/]resources[\\/]/.test(args.importer)
        ? { path: args.path, external: true }
        : undefined,
    );
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.namespace === 'require-as-import') return { path: args.path, external: true };
      const builtin = builtinModules.includes(args.path.replace(/^node:/, ''));
      if (!EXTERNAL.test(args.path) && !builtin) return undefined;
      if (esm && args.kind === 'require-call') return { path: args.path, namespace: 'require-as-import' };
      return { path: args.path, external: true };
    });
    build.onLoad({ filter: /.*/, namespace: 'require-as-import' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      loader: 'js',
    }));
  },
};

const define = { __BASALT_SDK_VERSION__: JSON.stringify(version) };

/** The library: four entries, ESM and CJS, with their types. */
export const library: Options = {
  entry: {
    index: 'src/index.ts',
    'adapters/ai-sdk/index': 'src/adapters/ai-sdk/index.ts',
    'adapters/langchain/index': 'src/adapters/langchain/index.ts',
    // Node only (files): run files and their comparison (SPEC §11).
    'experiments/index': 'src/experiments/index.ts',
  },
  format: ['esm', 'cjs'],
  // tsup's dts step sets `baseUrl`, deprecated in TypeScript 6.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  // Everything but the bin, which the other build writes at the same time.
  clean: ['!cli.mjs', '!edge/**'],
  // No source maps in the package: the output is unminified and readable as is (docs/decisions.md).
  sourcemap: false,
  target: 'node20',
  splitting: true,
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  // ky is ESM-only: bundling it lets the CJS build `require()` the package on Node 20. This applies to
  // both formats, so ky is a devDependency (docs/decisions.md). The OpenTelemetry SDK pieces are
  // bundled too (all of `@opentelemetry/*` but the API); `externals` keeps the API and gRPC outside.
  noExternal: ['ky', /^@opentelemetry\//, /^@grpc\/grpc-js/],
  esbuildPlugins: [externals],
  esbuildOptions(options) {
    // The SDK packages' ES module builds where they have one, so that esbuild drops what we do not use.
    options.mainFields = ['module', 'main'];
  },
  define,
};

/**
 * The `basalt-observe` bin: one self-contained ES module (`#!/usr/bin/env node`, made executable by
 * tsup), with the core code it uses copied in. A build of its own, so that no chunk of the library
 * is shared with it and the library never loads it. It imports no package, only Node built-ins.
 */
const bin: Options = {
  entry: { cli: 'src/cli/main.ts' },
  format: ['esm'],
  dts: false,
  clean: false,
  sourcemap: false,
  target: 'node20',
  splitting: false,
  outExtension: () => ({ js: '.mjs' }),
  define,
};

/**
 * The edge build's module swap: a source module with an `-edge.ts` sibling (`trace-file.ts` →
 * `trace-file-edge.ts`) is replaced by it. The siblings hold what differs on runtimes without
 * Node's built-ins: OTLP/HTTP through fetch and no gRPC, no trace file, a context manager over the
 * runtime's AsyncLocalStorage found without a static import, and the settings' warnings
 * (docs/runtimes.md). Every other module is the same source as in the Node build.
 */
const edgeModules: EsbuildPlugin = {
  name: 'basalt-edge-modules',
  setup(build) {
    build.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      if (!/[\\/]src[\\/]/.test(args.importer)) return undefined;
      const edge = resolve(dirname(args.importer), args.path.replace(/\.js$/, '-edge.ts'));
      return existsSync(edge) ? { path: edge } : undefined;
    });
    // Anything else of Node's in the edge graph fails the build (esbuild's browser platform cannot
    // resolve it): a Worker bundle must not need nodejs_compat to load.
  },
};

/**
 * The edge build (`workerd`, `edge-light`, `worker`, `browser` conditions in package.json): the same
 * three entries, ESM only (edge runtimes load ES modules), for esbuild's browser platform, with the
 * OpenTelemetry packages' browser variants (their `browser` field) bundled. It shares the Node
 * build's type declarations.
 */
const edge: Options = {
  entry: {
    index: 'src/index.ts',
    'adapters/ai-sdk/index': 'src/adapters/ai-sdk/index.ts',
    'adapters/langchain/index': 'src/adapters/langchain/index.ts',
  },
  outDir: 'dist/edge',
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: false,
  platform: 'browser',
  target: 'es2022',
  splitting: true,
  outExtension: () => ({ js: '.mjs' }),
  noExternal: ['ky', /^@opentelemetry\/(?!api($|\/))/],
  external: ['@opentelemetry/api'],
  esbuildPlugins: [edgeModules],
  esbuildOptions(options) {
    options.mainFields = ['browser', 'module', 'main'];
    options.conditions = ['worker', 'browser'];
  },
  define,
};

export default defineConfig([library, bin, edge]);
