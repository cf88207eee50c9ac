#!/usr/bin/env node
import { terminalSupportsColor } from '../core/tracing/trace-tree.js';
import { runCli } from './run.js';

// The `basalt-observe` bin (package.json `bin`, built as dist/cli.mjs). It imports the core; the
// core never imports it (test/cli/cli.test.ts checks the sources).

// `basalt-observe traces | head` closes the pipe early: stop quietly rather than with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  color: terminalSupportsColor(process.stdout),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`basalt-observe: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
