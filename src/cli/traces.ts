import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { localTraceFileFrom } from '../core/config.js';
import { previousTraceFile } from '../core/tracing/trace-file.js';
import { formatPrintedTrace } from '../core/tracing/trace-tree.js';
import { lastOption } from './args.js';
import type { CliCommand, CliIo } from './run.js';
import { readTraces } from './trace-reader.js';

const DEFAULT_LAST = 10;

const HELP = `Usage: basalt-observe traces [--last N] [--trace ID] [--file PATH]

Prints again the trace trees that local mode printed, from its trace file and the
older file beside it (<file>.1), oldest first.

Options:
  --last N       the last N traces (default ${DEFAULT_LAST})
  --trace ID     only the trace whose id is ID or starts with it
  --file PATH    the trace file (default: BASALT_LOCAL_TRACE_FILE, else
                 .basalt/traces.jsonl in the current folder)
  -h, --help     this help
`;

/** `basalt-observe traces`: re-prints trace trees from the local trace file (SPEC §11). */
export const traces: CliCommand = {
  summary: 'print the trace trees of the local trace file again',
  help: HELP,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args,
      options: { last: { type: 'string' }, trace: { type: 'string' }, file: { type: 'string' } },
      strict: true,
    });
    const last = lastOption('traces', values.last, DEFAULT_LAST, 9, io);
    if (last === undefined) return 1;
    const file = resolve(io.cwd, values.file ?? localTraceFileFrom(io.env));
    const result = await readTraces(file, { last, traceId: values.trace });
    if (result.files.length === 0) {
      io.err(
        `basalt-observe traces: no trace file at ${file} (nor ${previousTraceFile(file)}).\n` +
          'Local mode writes it when an app traces without BASALT_API_KEY in that folder. ' +
          'Pass --file PATH, or set BASALT_LOCAL_TRACE_FILE, to read another file.\n',
      );
      return 1;
    }
    for (const trace of result.traces) io.out(`${formatPrintedTrace(trace.spans, trace.file, { color: io.color })}\n`);
    if (result.skipped > 0) {
      io.err(
        `basalt-observe traces: skipped ${result.skipped} line(s) that are not spans (cut short by a failed write?)\n`,
      );
    }
    if (result.traces.length === 0) {
      const where = result.files.join(' and ');
      if (values.trace !== undefined) {
        io.err(`basalt-observe traces: no trace whose id starts with ${JSON.stringify(values.trace)} in ${where}\n`);
        return 1;
      }
      io.err(`basalt-observe traces: no traces in ${where} yet\n`);
    }
    return 0;
  },
};
