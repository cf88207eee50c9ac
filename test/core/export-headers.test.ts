import { describe, expect, it } from 'vitest';
import { exportHeaders } from '../../src/core/tracing/exporter.js';

const KEY = 'sk-basalt-0123456789';

describe('exportHeaders › where the Basalt key goes (#10.11)', () => {
  it('sends the key to Basalt and to collectors on this machine', () => {
    for (const endpoint of [
      'https://grpc.otel.getbasalt.ai',
      'https://otel.getbasalt.ai/v1/traces',
      'http://127.0.0.1:4318/v1/traces',
      'http://localhost:4318/v1/traces',
      'http://grpc.localhost:4317',
      'http://[::1]:4318/v1/traces',
    ]) {
      expect(exportHeaders(endpoint, KEY, {}), endpoint).toEqual({ authorization: `Bearer ${KEY}` });
    }
  });

  it('never sends the key to a third-party collector', () => {
    for (const endpoint of [
      'https://collector.example.com:4318/v1/traces',
      'https://getbasalt.ai.evil.example/v1/traces',
      'http://10.0.0.5:4317',
    ]) {
      expect(exportHeaders(endpoint, KEY, { 'x-team': 'ai' }), endpoint).toEqual({ 'x-team': 'ai' });
    }
  });

  it("lets the user's own authorization win, whatever its case", () => {
    expect(exportHeaders('https://grpc.otel.getbasalt.ai', KEY, { Authorization: 'Basic dXNlcg==' })).toEqual({
      Authorization: 'Basic dXNlcg==',
    });
  });
});
