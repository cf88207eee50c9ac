/**
 * The small harness of the end-to-end check scripts (`test/nextjs/check.ts`,
 * `test/otel-lines/check.ts`), which run outside vitest: each check prints one `ok` line, the first
 * failure throws `CheckFailed`, and `passed()` counts what held.
 */
export class CheckFailed extends Error {}

let count = 0;

export function fail(message: string): never {
  throw new CheckFailed(message);
}

export function expect(condition: unknown, message: string): void {
  if (!condition) fail(message);
  count++;
  console.log(`  ok  ${message}`);
}

/** Checks that held so far. */
export function passed(): number {
  return count;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
