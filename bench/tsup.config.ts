import { defineConfig } from 'tsup';
import { library } from '../tsup.config.js';

/**
 * The build `npm run bench` measures: the Node library build of tsup.config.ts (the code users run
 * on Node), ESM only, without types, into node_modules/.cache/basalt-bench. Its own config because
 * `tsup --out-dir` applies to every build of the main config: the edge build then wrote its
 * `index.mjs` into the same folder at the same time, and the bench could load the edge build, or a
 * file both builds wrote halfway.
 */
export default defineConfig({
  ...library,
  outDir: 'node_modules/.cache/basalt-bench',
  format: ['esm'],
  dts: false,
  clean: true,
});
