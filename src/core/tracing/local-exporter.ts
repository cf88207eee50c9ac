import { ExportResultCode } from '@opentelemetry/core';
import { DEFAULT_LOCAL_TRACE_MAX_BYTES } from '../constants.js';
import type { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import type { ExportResult, ReadableSpan, SpanExporter } from './sdk-types.js';
import { TraceFile } from './trace-file.js';
import { formatTraceTree, terminalSupportsColor } from './trace-tree.js';

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
  readonly #pending = new Map<string, ReadableSpan[]>();

  constructor(options: LocalTraceExporterOptions) {
    this.#traceFile = new TraceFile(options.file, options.maxBytes ?? DEFAULT_LOCAL_TRACE_MAX_BYTES);
    this.file = this.#traceFile.path;
    this.#print = options.print;
    this.#logger = options.logger;
    this.#write = options.write ?? ((text) => console.log(text));
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#print) this.#collect(spans);
    let lines: string;
    try {
      lines = spans.map((s) => `${JSON.stringify(toRecord(s))}\n`).join('');
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
      return;
    }
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

  #collect(spans: ReadableSpan[]): void {
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      const list = this.#pending.get(traceId) ?? [];
      list.push(span);
      this.#pending.set(traceId, list);
      if (span.attributes[ATTR.ROOT] === true) {
        this.#pending.delete(traceId);
        this.#printTree(list);
      }
    }
    while (this.#pending.size > MAX_PENDING_TRACES) {
      const oldest = this.#pending.keys().next().value as string;
      this.#pending.delete(oldest);
    }
  }

  #printTree(spans: ReadableSpan[]): void {
    try {
      const tree = formatTraceTree(spans, { color: terminalSupportsColor() });
      this.#write(`${tree}\n  trace ${spans[0]?.spanContext().traceId} → ${this.file}\n`);
    } catch (error) {
      this.#logger.once('local.print', 'warn', `Could not print a trace tree: ${String(error)}`);
    }
  }
}

/** One span as a JSON line: ids, times in ms since the epoch, status, attributes, resource, events. */
export function toRecord(span: ReadableSpan): Record<string, unknown> {
  const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: ms(span.startTime),
    endTime: ms(span.endTime),
    durationMs: ms(span.duration),
    status: span.status,
    attributes: span.attributes,
    resource: span.resource.attributes,
    events: span.events.map((e) => ({ name: e.name, time: ms(e.time), attributes: e.attributes })),
  };
}
