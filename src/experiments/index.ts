/**
 * Entry `basalt-observe/experiments` (Node only: it reads and writes files): experiment run files
 * and their comparison, as `npx basalt-observe compare` does it, for scripts (SPEC §11).
 */
export {
  type ComparedItem,
  type ComparedRun,
  type Comparison,
  compareRuns,
  type RunDelta,
} from './compare.js';
export { type LoadedRun, latestRuns, listRuns, type RunListing, readRuns } from './load.js';
export { type ComparisonHtmlOptions, renderComparisonHtml } from './render-html.js';
export { renderComparisonTable } from './render-table.js';
export {
  itemKey,
  parseRunFile,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  type RunFile,
  type RunResult,
  type RunStatus,
  type RunSummary,
  summarize,
} from './run-file.js';
