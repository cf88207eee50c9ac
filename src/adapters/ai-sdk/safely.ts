import { getRuntime } from '../../core/tracing/provider.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** Logs a message once per `kind` through the package's logger; never throws. */
export function logOnce(kind: string, level: Level, message: string): void {
  try {
    getRuntime().settings.logger.once(`ai-sdk.${kind}`, level, message);
  } catch {
    // No logger to tell: the user's call goes on regardless (§10).
  }
}

/**
 * Runs an instrumentation step: an internal failure is caught, logged once per `kind`, and
 * `fallback` is returned, so the user's call proceeds unchanged (§10).
 */
export function safely<T>(kind: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    logOnce(kind, 'warn', `AI SDK instrumentation step "${kind}" failed and was skipped: ${describe(error)}`);
    return fallback;
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}

/** `value` is a plain object-like record (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
