// The edge build's `trace-file.ts` (tsup.config.ts swaps it in): edge runtimes have no file system
// (Cloudflare Workers, Vercel Edge), so local mode prints each trace tree and writes no file
// (docs/runtimes.md). The runtime says so once when a trace file was asked for (`platform-edge.ts`).

export const WRITES_TRACE_FILE = false;

/** The one older file kept beside the trace file: `traces.jsonl` → `traces.jsonl.1`. */
export function previousTraceFile(file: string): string {
  return `${file}.1`;
}

/** Nothing is written: same surface as the Node build's `TraceFile`, every write a no-op. */
export class TraceFile {
  readonly path: string;
  readonly previous: string;

  constructor(file: string, _maxBytes: number) {
    this.path = file;
    this.previous = previousTraceFile(file);
  }

  append(_text: string): Promise<void> {
    return Promise.resolve();
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }
}
