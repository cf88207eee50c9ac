import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { asSpanRecord, type SpanRecord } from '../core/tracing/span-record.js';
import { previousTraceFile } from '../core/tracing/trace-file.js';

/** One trace read back: its spans in file order, and the file its last span is in. */
export interface ReadTrace {
  traceId: string;
  spans: SpanRecord[];
  file: string;
}

export interface ReadTracesResult {
  /** The files read, older first (`<file>.1`, then `<file>`); empty when neither exists. */
  files: string[];
  /** The traces asked for, the one written last at the end. */
  traces: ReadTrace[];
  /** Lines that are not spans (a line cut short by a full disk, say): skipped. */
  skipped: number;
}

export interface ReadTracesOptions {
  /** How many traces at most: the last ones written. */
  last: number;
  /** Only the traces whose id starts with this. */
  traceId?: string;
}

/**
 * Traces kept besides the last `last` while reading: a trace is ordered by its last span, and one
 * whose spans are spread among this many later traces may come back incomplete. Bounds the memory
 * to about `last + 500` traces whatever the size of the file (the exporter buffers as many).
 */
const READ_SLACK = 500;

/**
 * Reads the traces of the local trace file and of the older file beside it, in the order they were
 * written, line by line (the files are never read whole).
 */
export async function readTraces(file: string, options: ReadTracesOptions): Promise<ReadTracesResult> {
  const files = [previousTraceFile(file), file].filter((f) => existsSync(f));
  const byId = new Map<string, ReadTrace>();
  let skipped = 0;
  for (const path of files) {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const record = parse(line);
      if (record === undefined) {
        skipped++;
        continue;
      }
      if (options.traceId !== undefined && !record.traceId.startsWith(options.traceId)) continue;
      const trace = byId.get(record.traceId) ?? { traceId: record.traceId, spans: [], file: path };
      trace.spans.push(record);
      trace.file = path;
      // Moved to the end: the map stays ordered by each trace's last span.
      byId.delete(record.traceId);
      byId.set(record.traceId, trace);
      if (byId.size > options.last + READ_SLACK) byId.delete(byId.keys().next().value as string);
    }
  }
  return { files, traces: [...byId.values()].slice(-options.last), skipped };
}

function parse(line: string): SpanRecord | undefined {
  try {
    return asSpanRecord(JSON.parse(line));
  } catch {
    return undefined;
  }
}
