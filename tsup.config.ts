import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapters/ai-sdk/index': 'src/adapters/ai-sdk/index.ts',
    'adapters/langchain/index': 'src/adapters/langchain/index.ts',
  },
  format: ['esm', 'cjs'],
  // tsup's dts step sets `baseUrl`, deprecated in TypeScript 6.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  clean: true,
  // No source maps in the package: the output is unminified and readable as is (docs/decisions.md).
  sourcemap: false,
  target: 'node20',
  splitting: true,
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.mjs' }),
  // ky is ESM-only: bundling it lets the CJS build `require()` the package on Node 20. This applies to
  // both formats, so ky is a devDependency (docs/decisions.md).
  noExternal: ['ky'],
  define: { __BASALT_SDK_VERSION__: JSON.stringify(version) },
});
