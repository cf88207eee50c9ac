import fc from 'fast-check';

/**
 * Makes the fast-check properties of the importing test file reproducible. A failing property
 * prints `{ seed: <n>, path: "…" }` (fast-check's report); run it again with the same generated
 * values by setting that seed:
 *
 * ```sh
 * FC_SEED=<n> npx vitest run test/core/serialize.test.ts -t '<test name>'
 * ```
 *
 * Without `FC_SEED`, every run draws a fresh random seed, as fast-check does by default.
 */
export function replayFastCheckSeed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.FC_SEED?.trim();
  if (!raw) return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer (fast-check prints one), got "${raw}"`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  console.info(`fast-check: replaying seed ${seed} (FC_SEED)`);
  return seed;
}
