import type { CliIo } from './run.js';

/**
 * The `--last N` option of a command: `fallback` when absent, else a positive integer of at most
 * `maxDigits` digits; anything else is said on stderr and gives `undefined` (the command exits 1).
 */
export function lastOption(
  command: string,
  value: string | undefined,
  fallback: number,
  maxDigits: number,
  io: CliIo,
): number | undefined {
  if (value === undefined) return fallback;
  if (new RegExp(`^[1-9]\\d{0,${maxDigits - 1}}$`).test(value)) return Number(value);
  io.err(`basalt-observe ${command}: --last must be a positive integer; got ${JSON.stringify(value)}\n`);
  return undefined;
}
