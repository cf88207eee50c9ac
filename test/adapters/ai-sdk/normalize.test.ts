import { describe, expect, it } from 'vitest';
import {
  filePart,
  normalizeFinishReason,
  normalizeUsage,
  toolArguments,
} from '../../../src/adapters/ai-sdk/normalize.js';
import { finishOf, type Spec, usageOf } from '../../helpers/ai-sdk-parts.js';

const SPECS: Spec[] = ['v2', 'v3', 'v4'];

describe('normalizeUsage', () => {
  it.each(SPECS)('reads input, output, cache-read and reasoning tokens of spec %s', (spec) => {
    const usage = normalizeUsage(usageOf(spec, { input: 120, output: 30, cacheRead: 100, reasoning: 12 }));
    expect(usage).toMatchObject({
      inputTokens: 120,
      outputTokens: 30,
      cacheReadInputTokens: 100,
      reasoningOutputTokens: 12,
    });
  });

  it('reads cache-write tokens of the nested (v3/v4) shape', () => {
    expect(normalizeUsage(usageOf('v4', { input: 50, output: 1, cacheWrite: 40 }))?.cacheCreationInputTokens).toBe(40);
  });

  it('leaves unknown counts undefined rather than zero', () => {
    const usage = normalizeUsage({
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 3, text: 3, reasoning: undefined },
    });
    expect(usage).toEqual({
      inputTokens: undefined,
      outputTokens: 3,
      cacheReadInputTokens: undefined,
      cacheCreationInputTokens: undefined,
      reasoningOutputTokens: undefined,
    });
  });

  it('returns undefined for a missing or malformed usage', () => {
    expect(normalizeUsage(undefined)).toBeUndefined();
    expect(normalizeUsage('12')).toBeUndefined();
  });
});

describe('normalizeFinishReason', () => {
  it.each(SPECS)('maps the unified reasons of spec %s to the convention vocabulary', (spec) => {
    expect(normalizeFinishReason(finishOf(spec, 'stop'))).toBe('stop');
    expect(normalizeFinishReason(finishOf(spec, 'length'))).toBe('length');
    expect(normalizeFinishReason(finishOf(spec, 'content-filter'))).toBe('content_filter');
    expect(normalizeFinishReason(finishOf(spec, 'tool-calls'))).toBe('tool_call');
    expect(normalizeFinishReason(finishOf(spec, 'error'))).toBe('error');
  });

  it('maps the raw provider reason when the unified one is "other"', () => {
    expect(normalizeFinishReason({ unified: 'other', raw: 'end_turn' })).toBe('stop');
    expect(normalizeFinishReason({ unified: 'other', raw: 'pause_turn' })).toBe('pause_turn');
  });

  it('passes a reason outside the vocabulary through when there is no raw one', () => {
    expect(normalizeFinishReason('other')).toBe('other');
    expect(normalizeFinishReason({ unified: 'interrupted', raw: undefined })).toBe('interrupted');
    expect(normalizeFinishReason(undefined)).toBeUndefined();
  });
});

describe('filePart', () => {
  const bytes = new Uint8Array(2048);

  it('summarises raw bytes (v2/v3) without inlining them', () => {
    const part = filePart(bytes, 'image/png');
    expect(part).toEqual({
      type: 'blob',
      modality: 'image',
      mime_type: 'image/png',
      content: expect.stringContaining('2048 bytes'),
    });
  });

  it('summarises tagged data (v4) the same way', () => {
    expect(filePart({ type: 'data', data: bytes }, 'image/png')).toEqual(filePart(bytes, 'image/png'));
  });

  it('keeps a URL as a uri part, raw or tagged', () => {
    const url = new URL('https://example.com/cat.png');
    expect(filePart(url, 'image/png')).toMatchObject({ type: 'uri', uri: url.href });
    expect(filePart({ type: 'url', url }, 'image/png')).toMatchObject({ type: 'uri', uri: url.href });
  });

  it('summarises base64 text by its decoded size', () => {
    // 3072 bytes: base64 without padding, whose size the core estimates exactly.
    const base64 = Buffer.from(new Uint8Array(3072).fill(7)).toString('base64');
    const part = filePart(base64, 'application/pdf');
    expect(JSON.stringify(part)).not.toContain(base64.slice(0, 32));
    expect(part).toMatchObject({ type: 'blob', modality: 'file', content: expect.stringContaining('3072 bytes') });
  });
});

describe('toolArguments', () => {
  it('parses JSON arguments and keeps other text as is', () => {
    expect(toolArguments('{"city":"Paris"}')).toEqual({ city: 'Paris' });
    expect(toolArguments('not json')).toBe('not json');
    expect(toolArguments({ already: 'parsed' })).toEqual({ already: 'parsed' });
  });
});
