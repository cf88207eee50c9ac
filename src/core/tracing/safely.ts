import { getRuntime } from './provider.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Guards shared by the adapters (SPEC §10): instrumentation never throws into user code, and each
 * kind of internal failure is logged once.
 */

/** Logs a message once per `kind` through the package's logger; never throws. */
export function logOnce(kind: string, level: Level, message: string): void {
  try {
    getRuntime().settings.logger.once(kind, level, message);
  } catch {
    // No logger to tell: the user's call goes on regardless (§10).
  }
}

/**
 * Runs an instrumentation step: an internal failure is caught, logged once per `kind`, and
 * `fallback` is returned, so the user's call proceeds unchanged (§10).
 */
export function safely<T>(kind: string, fn: () => T, fallback: T): T;
export function safely(kind: string, fn: () => void): void;
export function safely<T>(kind: string, fn: () => T, fallback?: T): T | undefined {
  try {
    return fn();
  } catch (error) {
    logOnce(kind, 'warn', `Instrumentation step "${kind}" failed and was skipped: ${describe(error)}`);
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
