import { ExportResultCode } from '@opentelemetry/core';
import { DEFAULT_LOCAL_TRACE_MAX_BYTES } from '../constants.js';
import type { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import type { ExportResult, ReadableSpan, SpanExporter } from './sdk-types.js';
import { type SpanRecord, toRecord } from './span-record.js';
import { TraceFile, WRITES_TRACE_FILE } from './trace-file.js';
import { formatPrintedTrace, terminalSupportsColor } from './trace-tree.js';

export interface LocalTraceExporterOptions {
  /** JSON-lines file the spans are appended to. */
  file: string;
  /** Size at which the file is rotated to `<file>.1`. Default 10 MiB. */
  maxBytes?: number;
  /** Print each trace as a tree when its Basalt root ends. */
  print: boolean;
  logger: Logger;
  /** Where trees go. Default: `console.log`. */
  write?: (text: string) => void;
}

/** Traces still waiting for their root at most; the oldest is forgotten past it (memory stays bounded). */
const MAX_PENDING_TRACES = 500;

/**
 * Local mode (§8): nothing leaves the machine. Every span is appended to a JSON-lines file, rotated
 * at a size (`TraceFile`), and when a Basalt root ends its trace is printed as a readable tree. A
 * write that fails (read-only folder, disk full) is a failed export, as an unreachable collector
 * is: `BasaltSpanProcessor` counts its spans in `stats().failedExports` and warns once with the
 * reason, which names the file. Nothing is thrown into the app.
 */
export class LocalTraceExporter implements SpanExporter {
  readonly file: string;
  readonly #traceFile: TraceFile;
  readonly #print: boolean;
  readonly #logger: Logger;
  readonly #write: (text: string) => void;
  readonly #pending = new Map<string, SpanRecord[]>();

  constructor(options: LocalTraceExporterOptions) {
    this.#traceFile = new TraceFile(options.file, options.maxBytes ?? DEFAULT_LOCAL_TRACE_MAX_BYTES);
    this.file = this.#traceFile.path;
    this.#print = options.print;
    this.#logger = options.logger;
    this.#write = options.write ?? ((text) => console.log(text));
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let records: SpanRecord[];
    let lines: string;
    try {
      records = spans.map(toRecord);
      lines = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
    if (this.#print) this.#collect(records);
    this.#traceFile.append(lines).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async shutdown(): Promise<void> {
    this.#pending.clear();
    await this.#traceFile.settled();
  }

  async forceFlush(): Promise<void> {
    await this.#traceFile.settled();
  }

  #collect(records: SpanRecord[]): void {
    for (const record of records) {
      const list = this.#pending.get(record.traceId) ?? [];
      list.push(record);
      this.#pending.set(record.traceId, list);
      if (record.attributes[ATTR.ROOT] === true) {
        this.#pending.delete(record.traceId);
        this.#printTree(list);
      }
    }
    while (this.#pending.size > MAX_PENDING_TRACES) {
      const oldest = this.#pending.keys().next().value as string;
      this.#pending.delete(oldest);
    }
  }

  #printTree(records: SpanRecord[]): void {
    try {
      this.#write(
        formatPrintedTrace(records, WRITES_TRACE_FILE ? this.file : undefined, { color: terminalSupportsColor() }),
      );
    } catch (error) {
      this.#logger.once('local.print', 'warn', `Could not print a trace tree: ${String(error)}`);
    }
  }
}
