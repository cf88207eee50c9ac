import { SDK_VERSION } from '../core/constants.js';
import { compare } from './compare.js';
import { traces } from './traces.js';

/** Where a command writes and what it reads of its process: the real one in `main.ts`, a test's own. */
export interface CliIo {
  /** Writes to standard output, as is (no newline added). */
  out(text: string): void;
  /** Writes to standard error, as is. */
  err(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether standard output wants ANSI colours (a TTY, `NO_COLOR`, `FORCE_COLOR`). */
  color: boolean;
}

/** A subcommand of `basalt-observe`. */
export interface CliCommand {
  /** One line in the command list of `basalt-observe --help`. */
  summary: string;
  /** What `basalt-observe <command> --help` prints. */
  help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The subcommands, by name (SPEC §11); the dispatcher, help and errors below serve them all. */
const COMMANDS: Readonly<Record<string, CliCommand>> = { compare, traces };

/** `basalt-observe` with `argv` (what follows the program name); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(usage());
    return 1;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${SDK_VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`basalt-observe: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    io.err(`basalt-observe ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const list = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: basalt-observe <command> [options]',
    '',
    'Commands:',
    ...list,
    '',
    'Run basalt-observe <command> --help for its options; basalt-observe --version for the version.',
    '',
  ].join('\n');
}
