import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Whether local mode writes the trace file on this build (the edge build's `trace-file-edge.ts` does not). */
export const WRITES_TRACE_FILE = true;

/** The one older file kept beside the trace file: `traces.jsonl` → `traces.jsonl.1`. */
export function previousTraceFile(file: string): string {
  return `${file}.1`;
}

/**
 * The local trace file (§8): JSON lines appended in order, rotated at a size. When a write would
 * take the file past `maxBytes`, the file is renamed to `<file>.1` (replacing the older one) and the
 * write starts a new file, so the two hold at most about twice `maxBytes`: a batch is never split, and
 * a batch larger than `maxBytes` alone makes a file larger than it. The size is read before each
 * write, so a file left by an earlier run (or written by another process) counts.
 *
 * A new file is readable by its owner only (it holds prompts and answers). Writes run one at a time;
 * a failed one rejects with an error that names the file, and the next write tries again.
 */
export class TraceFile {
  readonly path: string;
  readonly previous: string;
  readonly #maxBytes: number;
  #tail: Promise<void> = Promise.resolve();

  constructor(file: string, maxBytes: number) {
    this.path = resolve(file);
    this.previous = previousTraceFile(this.path);
    this.#maxBytes = maxBytes;
  }

  /** Appends `text` (whole lines) after the writes before it. */
  append(text: string): Promise<void> {
    const write = this.#tail.then(() => this.#write(text));
    this.#tail = write.catch(() => undefined);
    return write;
  }

  /** Resolves when the writes started so far have settled. */
  settled(): Promise<void> {
    return this.#tail;
  }

  async #write(text: string): Promise<void> {
    let size: number;
    try {
      size = await this.#size();
    } catch (error) {
      throw writeError(this.path, error);
    }
    if (size > 0 && size + Buffer.byteLength(text) > this.#maxBytes) {
      try {
        await rename(this.path, this.previous);
      } catch (error) {
        // Not written rather than past the bound: the disk the file may use stays bounded.
        throw new Error(
          `the local trace file ${this.path} reached ${size} bytes and could not be renamed to ${this.previous} (${describe(error)})`,
          { cause: error },
        );
      }
    }
    try {
      await appendFile(this.path, text, { mode: 0o600 });
    } catch (error) {
      throw writeError(this.path, error);
    }
  }

  /** The file's size, 0 when it does not exist yet (its folder is then made). */
  async #size(): Promise<number> {
    try {
      return (await stat(this.path)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dirname(this.path), { recursive: true });
    return 0;
  }
}

function writeError(path: string, error: unknown): Error {
  return new Error(`could not write the local trace file ${path} (${describe(error)})`, { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
