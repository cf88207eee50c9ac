import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { Basalt, BasaltConfigError } from '../../src/index.js';
import { resetTracing } from '../helpers/tracing.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await resetTracing();
});

describe('a mistyped API key never silently turns tracing off (#11.2)', () => {
  it.each([
    [
      'a string instead of options',
      'sk-basalt-0123456789',
      /options must be an object such as \{ apiKey \}; got a string/,
    ],
    ['a number key', { apiKey: 123 }, /apiKey must be a string; got a number/],
    ['an object key', { apiKey: { key: 'sk' } }, /apiKey must be a string; got an object/],
  ])('rejects %s with a BasaltConfigError', (_label, options, message) => {
    expect(() => new Basalt(options as never)).toThrow(BasaltConfigError);
    expect(() => new Basalt(options as never)).toThrow(message);
  });

  it('warns once, at the default level, about an explicitly empty key', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new Basalt({ apiKey: '', telemetry: { printTraces: false } });
    new Basalt({ apiKey: '', telemetry: { printTraces: false } });
    expect(warn.mock.calls.filter(([line]) => String(line).includes('apiKey was passed but is empty'))).toHaveLength(1);
  });

  it.each([{ NODE_ENV: 'production' }, { VERCEL: '1' }, { AWS_LAMBDA_FUNCTION_NAME: 'handler' }])(
    'says local mode is on in what looks like production (%j)',
    (env) => {
      expect(resolveConfig({}, env).warnings.join(' ')).toMatch(/looks like production/);
      expect(resolveConfig({}, {}).warnings).toEqual([]);
      expect(resolveConfig({}, { ...env, BASALT_API_KEY: 'sk-x' }).warnings).toEqual([]);
    },
  );
});

describe('endpoints and OpenTelemetry variables (#11.3)', () => {
  it('gives a base OTLP/HTTP endpoint /v1/traces and uses a full traces URL as is', () => {
    expect(resolveConfig({ telemetry: { endpoint: 'http://collector:4318' } }, {}).telemetry.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(resolveConfig({ telemetry: { endpoint: 'http://collector:4318/' } }, {}).telemetry.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(resolveConfig({ telemetry: { endpoint: 'https://host/otlp/v1/traces' } }, {}).telemetry.endpoint).toBe(
      'https://host/otlp/v1/traces',
    );
    // gRPC endpoints have no path.
    expect(resolveConfig({ telemetry: { endpoint: 'http://collector:4317' } }, {}).telemetry.endpoint).toBe(
      'http://collector:4317',
    );
  });

  it('honours OTEL_EXPORTER_OTLP_* without a Basalt key or endpoint, with their headers', () => {
    const base = resolveConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=ai,authorization=Basic%20abc',
      },
    );
    expect(base.telemetry).toMatchObject({
      mode: 'otlp',
      endpoint: 'http://jaeger:4318/v1/traces',
      headers: { 'x-team': 'ai', authorization: 'Basic abc' },
    });
    const traces = resolveConfig(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' },
    );
    expect(traces.telemetry.endpoint).toBe('http://b:4318/custom');
  });

  it('keeps Basalt as the destination when a Basalt key is set, whatever OTEL_EXPORTER_OTLP_ENDPOINT says', () => {
    const config = resolveConfig(
      {},
      { BASALT_API_KEY: 'sk-x', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://datadog-agent:4318' },
    );
    expect(config.telemetry.endpoint).toContain('getbasalt.ai');
  });

  it('reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    const config = resolveConfig(
      {},
      { OTEL_SERVICE_NAME: 'web', OTEL_RESOURCE_ATTRIBUTES: 'team=ai,region=eu%2Dwest' },
    );
    expect(config.telemetry.serviceName).toBe('web');
    expect(config.telemetry.resourceAttributes).toEqual({ team: 'ai', region: 'eu-west' });
  });

  it.each([
    ['BASALT_LOG_LEVEL', 'loud'],
    ['BASALT_API_URL', 'not a url'],
    ['BASALT_OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'ftp://x'],
  ])('names the variable the user set in its error (%s)', (variable, value) => {
    expect(() => resolveConfig({}, { [variable]: value })).toThrow(new RegExp(`^${variable} `));
  });
});
