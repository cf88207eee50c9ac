import { describe, expect, it } from 'vitest';
import { binaryPart, finishReason, providerName } from '../../src/core/tracing/gen-ai.js';

describe('gen-ai helpers', () => {
  it.each([
    ['aGk=', 2],
    ['aGk', 2],
    ['aGVsbG8=', 5],
    ['data:image/png;base64,aGVsbG8h', 6],
  ])('sizes base64 %s as %i bytes, padding excluded', (data, bytes) => {
    expect(binaryPart(data, 'image/png')).toMatchObject({ type: 'blob', modality: 'image' });
    expect((binaryPart(data, 'image/png') as { content: string }).content).toContain(` ${bytes} bytes`);
  });

  it('keeps a URL as a uri part and never inlines bytes', () => {
    expect(binaryPart(new URL('https://x.test/a.png'), 'image/png')).toEqual({
      type: 'uri',
      modality: 'image',
      mime_type: 'image/png',
      uri: 'https://x.test/a.png',
    });
    expect(JSON.stringify(binaryPart(new Uint8Array(4096), 'audio/wav'))).not.toMatch(/0,0,0/);
  });

  it.each([
    ['openai.chat', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['ChatOpenAI', 'openai'],
    ['azure-openai', 'azure.ai.openai'],
    ['my-provider.chat', 'my-provider'],
  ])('maps provider id %s to %s', (id, name) => {
    expect(providerName(id)).toBe(name);
  });

  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_calls', 'tool_call'],
    ['tool-calls', 'tool_call'],
    ['content-filter', 'content_filter'],
    ['error', 'error'],
  ])('maps finish reason %s to %s', (raw, mapped) => {
    expect(finishReason(raw)).toBe(mapped);
  });
});
