import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/core/config.js';
import { BasaltConfigError } from '../../src/index.js';

describe('resolveConfig', () => {
  it('uses the documented defaults with an empty environment', () => {
    const config = resolveConfig({}, {});
    expect(config).toMatchObject({
      apiKey: undefined,
      apiUrl: 'https://api.getbasalt.ai',
      logLevel: 'warn',
      telemetry: {
        enabled: true,
        mode: 'local',
        endpoint: undefined,
        serviceName: 'basalt-app',
        sampleRate: 0,
        recordInputs: true,
        recordOutputs: true,
        maxPayloadBytes: 32 * 1024,
        maxQueueSize: 20_480,
        maxQueueBytes: 16 * 1024 * 1024,
        localTraceFile: '.basalt/traces.jsonl',
        localTraceMaxBytes: 10 * 1024 * 1024,
        printTraces: true,
      },
    });
  });

  it('reads every documented environment variable', () => {
    const config = resolveConfig(
      {},
      {
        BASALT_API_KEY: 'key-1234',
        BASALT_API_URL: 'http://127.0.0.1:9999/',
        BASALT_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
        BASALT_SAMPLE_RATE: '0.25',
        BASALT_LOG_LEVEL: 'debug',
        BASALT_TELEMETRY_ENABLED: 'true',
        BASALT_RECORD_INPUTS: 'false',
        BASALT_RECORD_OUTPUTS: '0',
        BASALT_ENVIRONMENT: 'staging',
        BASALT_LOCAL_TRACE_FILE: '/tmp/t.jsonl',
        BASALT_LOCAL_TRACE_MAX_BYTES: '65536',
        BASALT_PRINT_TRACES: 'no',
        OTEL_SERVICE_NAME: 'svc',
      },
    );
    expect(config).toMatchObject({
      apiKey: 'key-1234',
      apiUrl: 'http://127.0.0.1:9999',
      logLevel: 'debug',
      telemetry: {
        mode: 'otlp',
        endpoint: 'http://127.0.0.1:4318/v1/traces',
        sampleRate: 0.25,
        recordInputs: false,
        recordOutputs: false,
        environment: 'staging',
        serviceName: 'svc',
        localTraceFile: '/tmp/t.jsonl',
        localTraceMaxBytes: 65536,
        printTraces: false,
      },
    });
  });

  it('prefers options over the environment', () => {
    const config = resolveConfig(
      { apiKey: 'opt-key', telemetry: { sampleRate: 1, endpoint: 'https://collector.example:4318/v1/traces' } },
      { BASALT_API_KEY: 'env-key', BASALT_SAMPLE_RATE: '0.1' },
    );
    expect(config.apiKey).toBe('opt-key');
    expect(config.telemetry.sampleRate).toBe(1);
    expect(config.telemetry.endpoint).toBe('https://collector.example:4318/v1/traces');
    const local = resolveConfig({ telemetry: { localTraceMaxBytes: 2048 } }, { BASALT_LOCAL_TRACE_MAX_BYTES: '4096' });
    expect(local.telemetry.localTraceMaxBytes).toBe(2048);
  });

  it("sends to Basalt's OTLP endpoint when only an API key is set", () => {
    const config = resolveConfig({ apiKey: 'k-1234' }, {});
    expect(config.telemetry).toMatchObject({ mode: 'otlp', endpoint: 'https://grpc.otel.getbasalt.ai' });
  });

  it('uses custom exporters when given, and nothing when disabled', () => {
    const exporter = { export() {}, async shutdown() {} };
    expect(resolveConfig({ telemetry: { exporter } }, {}).telemetry.mode).toBe('custom');
    expect(resolveConfig({ telemetry: { enabled: false, exporter } }, {}).telemetry.mode).toBe('disabled');
  });

  it.each([
    [{ telemetry: { sampleRate: 1.5 } }, {}, /sampleRate must be a number between 0 and 1; got 1.5/],
    [{ telemetry: { sampleRate: -0.1 } }, {}, /sampleRate/],
    [{ telemetry: { sampleRate: Number.NaN } }, {}, /sampleRate/],
    [{}, { BASALT_SAMPLE_RATE: 'half' }, /BASALT_SAMPLE_RATE must be a number/],
    [{}, { BASALT_SAMPLE_RATE: '2' }, /BASALT_SAMPLE_RATE must be a number between 0 and 1/],
    [{ apiUrl: 'not a url' }, {}, /apiUrl must be an absolute http\(s\) URL/],
    [{ apiUrl: 'ftp://x.example' }, {}, /apiUrl must use http or https/],
    [{ telemetry: { endpoint: 'localhost' } }, {}, /telemetry.endpoint/],
    [{}, { BASALT_API_URL: '::' }, /apiUrl/],
    [{ logLevel: 'loud' }, {}, /logLevel must be one of/],
    [{ telemetry: { maxPayloadBytes: 10 } }, {}, /maxPayloadBytes must be an integer >= 256/],
    [{ telemetry: { localTraceMaxBytes: 100 } }, {}, /telemetry.localTraceMaxBytes must be an integer >= 1024/],
    [{ telemetry: { localTraceMaxBytes: 1.5e6 + 0.5 } }, {}, /localTraceMaxBytes must be an integer/],
    [{}, { BASALT_LOCAL_TRACE_MAX_BYTES: '10MB' }, /BASALT_LOCAL_TRACE_MAX_BYTES must be a number; got "10MB"/],
    [{}, { BASALT_LOCAL_TRACE_MAX_BYTES: '512' }, /BASALT_LOCAL_TRACE_MAX_BYTES must be an integer >= 1024; got 512/],
    [{}, { BASALT_TELEMETRY_ENABLED: 'maybe' }, /BASALT_TELEMETRY_ENABLED must be true or false/],
  ])('rejects invalid input with a clear error (%j %j)', (options, env, message) => {
    expect(() => resolveConfig(options as never, env)).toThrow(BasaltConfigError);
    expect(() => resolveConfig(options as never, env)).toThrow(message);
  });

  it('never puts the API key in a config error', () => {
    try {
      resolveConfig({ apiKey: 'sk-very-secret-key', apiUrl: 'nope' }, {});
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('sk-very-secret-key');
    }
  });
});
