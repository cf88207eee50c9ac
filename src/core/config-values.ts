import { BasaltConfigError, redactUrl } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { describeType, describeValue } from './values.js';

/**
 * Readers of option and environment values for `resolveConfig`: each one validates, and its error
 * names what the user set (the option, or the variable it came from).
 */

export type Env = Record<string, string | undefined>;

/** `value` when it is a plain object, else a config error saying what was expected (`new Basalt('sk-…')`). */
export function checkObject<T extends object>(value: T, name: string, expected: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BasaltConfigError(`${name} must be ${expected}; got ${describeType(value)}`);
  }
  return value;
}

/** A string option, or a config error naming it (an API key of 123 or an object is a mistake). */
export function optionString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BasaltConfigError(`${name} must be a string; got ${describeType(value)}`);
  return nonEmpty(value);
}

/** The option if given, else the variable; a bad value is reported under the name the user set. */
export function fromOptionOrEnv<T>(
  option: unknown,
  optionName: string,
  env: Env,
  variable: string,
  check: (value: string, name: string) => T,
): T | undefined {
  const given = optionString(option, optionName);
  if (given !== undefined) return check(given, optionName);
  const raw = nonEmpty(env[variable]);
  return raw === undefined ? undefined : check(raw, `${variable} (the ${optionName} option)`);
}

export function validLogLevel(value: string, name: string): LogLevel {
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    throw new BasaltConfigError(`${name} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as LogLevel;
}

export function productionLooking(env: Env): boolean {
  return (
    env.NODE_ENV === 'production' ||
    nonEmpty(env.VERCEL) !== undefined ||
    nonEmpty(env.AWS_LAMBDA_FUNCTION_NAME) !== undefined
  );
}

/**
 * Serverless platforms that freeze or stop a function once it answers, by the variable each sets in
 * its functions' environment: spans still queued then are lost unless flushed (#12.3).
 */
const SERVERLESS_PLATFORMS: ReadonlyArray<readonly [variable: string, platform: string]> = [
  ['VERCEL', 'vercel'],
  ['AWS_LAMBDA_FUNCTION_NAME', 'aws-lambda'],
  ['NETLIFY', 'netlify'],
  ['FUNCTION_TARGET', 'google-cloud-functions'],
  ['FUNCTIONS_WORKER_RUNTIME', 'azure-functions'],
];

/** The serverless platform `env` names, if any. */
export function serverlessPlatform(env: Env): string | undefined {
  return SERVERLESS_PLATFORMS.find(([variable]) => nonEmpty(env[variable]) !== undefined)?.[1];
}

export function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** An absolute http(s) URL without its trailing slashes; the error prints it without credentials. */
export function validUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BasaltConfigError(`${name} must be an absolute http(s) URL; got ${JSON.stringify(redactUrl(value))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BasaltConfigError(`${name} must use http or https; got ${JSON.stringify(redactUrl(value))}`);
  }
  return value.replace(/\/+$/, '');
}

export function positiveInt(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new BasaltConfigError(`${name} must be an integer >= ${min}; got ${JSON.stringify(value)}`);
  }
  return value;
}

export function envBool(name: string, env: Env): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new BasaltConfigError(`${name} must be true or false; got ${JSON.stringify(env[name])}`);
}

export function envNumber(name: string, env: Env): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new BasaltConfigError(`${name} must be a number; got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * A required text argument of a public call (`who`: `experiments.create`, `datasets.get`): a string
 * with more than blanks, at most `max` characters; else a `BasaltConfigError` naming the call.
 */
export function requiredText(value: unknown, who: string, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BasaltConfigError(`${who} needs a non-empty ${field}; got ${describeValue(value)}`);
  }
  if (value.length > max) {
    throw new BasaltConfigError(`${who}: ${field} is ${value.length} characters long; the limit is ${max}`);
  }
  return value;
}
