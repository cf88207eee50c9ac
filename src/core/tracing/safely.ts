import { packageLogger } from './runtime.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Guards shared by the adapters (SPEC §10): instrumentation never throws into user code, and each
 * kind of internal failure is logged once.
 */

/** Logs a message once per `kind` through the package's logger; never throws. */
export function logOnce(kind: string, level: Level, message: string): void {
  try {
    packageLogger().once(kind, level, message);
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
    reportFailure(kind, error);
    return fallback;
  }
}

/** Logs, once per `kind`, that an instrumentation step failed and was skipped. */
export function reportFailure(kind: string, error: unknown): void {
  logOnce(kind, 'warn', `Instrumentation step "${kind}" failed and was skipped: ${describe(error)}`);
}

/** `Name: message` of an error, or its text; never throws. */
export function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}
