import { redactUrl } from './errors.js';

/** Levels of the package's logger, from most to least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

type Sink = (level: Exclude<LogLevel, 'silent'>, message: string) => void;

const consoleSink: Sink = (level, message) => {
  const line = `[basalt] ${message}`;
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else if (level === 'info') console.info(line);
  else console.debug(line);
};

/**
 * A levelled logger that never prints a secret: every message goes through `redact` first, so an
 * API key that slipped into an error message or a URL is replaced before it reaches the console.
 */
export class Logger {
  readonly #rank: number;
  readonly #secrets: string[];
  readonly #seen = new Set<string>();
  readonly #sink: Sink;

  constructor(level: LogLevel = 'warn', secrets: Array<string | undefined> = [], sink: Sink = consoleSink) {
    this.#rank = LOG_LEVELS.indexOf(level);
    this.#secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
    this.#sink = sink;
  }

  enabled(level: Exclude<LogLevel, 'silent'>): boolean {
    return LOG_LEVELS.indexOf(level) >= this.#rank;
  }

  /** The message without secrets: the API key, and credentials in any URL (`user:password@`). */
  redact(text: string): string {
    let out = redactUrl(text);
    for (const secret of this.#secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  debug(message: string): void {
    this.#log('debug', message);
  }
  info(message: string): void {
    this.#log('info', message);
  }
  warn(message: string): void {
    this.#log('warn', message);
  }
  error(message: string): void {
    this.#log('error', message);
  }

  /** Logs the first message of a kind and stays quiet about that kind afterwards. */
  once(kind: string, level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (this.#seen.has(kind)) return;
    this.#seen.add(kind);
    this.#log(level, message);
  }

  #log(level: Exclude<LogLevel, 'silent'>, message: string): void {
    if (!this.enabled(level)) return;
    try {
      this.#sink(level, this.redact(message));
    } catch {
      // A broken console must not break the app (§10).
    }
  }
}
