import {
  binaryPart,
  finishReason,
  finiteNumber,
  type GenAiPart,
  type GenAiUsage,
  isRecord,
} from '../../core/integration.js';

/**
 * The small normalisation layer between AI SDK language-model specs v2 (ai 5), v3 (ai 6) and
 * v4 (ai 7). Everything is read by shape, not by version: ai 7 also runs v2/v3 models behind a
 * v4 proxy, and ai 6 accepts a v2 model in `wrapLanguageModel`.
 */

/**
 * Token usage of a call as GenAI usage.
 * - v2: flat numbers `{ inputTokens, outputTokens, totalTokens, reasoningTokens?, cachedInputTokens? }`.
 * - v3/v4: `{ inputTokens: { total, noCache, cacheRead, cacheWrite }, outputTokens: { total, text, reasoning } }`.
 * `gen_ai.usage.input_tokens` is the total, cached tokens included, as the convention asks.
 */
export function normalizeUsage(usage: unknown): GenAiUsage | undefined {
  if (!isRecord(usage)) return undefined;
  const input = usage.inputTokens;
  const output = usage.outputTokens;
  if (isRecord(input) || isRecord(output)) {
    const inTokens = isRecord(input) ? input : {};
    const outTokens = isRecord(output) ? output : {};
    return {
      inputTokens: finiteNumber(inTokens.total),
      outputTokens: finiteNumber(outTokens.total),
      cacheReadInputTokens: finiteNumber(inTokens.cacheRead),
      cacheCreationInputTokens: finiteNumber(inTokens.cacheWrite),
      reasoningOutputTokens: finiteNumber(outTokens.reasoning),
    };
  }
  return {
    inputTokens: finiteNumber(input),
    outputTokens: finiteNumber(output),
    cacheReadInputTokens: finiteNumber(usage.cachedInputTokens),
    reasoningOutputTokens: finiteNumber(usage.reasoningTokens),
  };
}

/** AI SDK unified finish reasons → the convention's vocabulary. */
const UNIFIED: Record<string, string> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_call',
  error: 'error',
};

/**
 * A finish reason in the convention's vocabulary (`stop`, `length`, `content_filter`,
 * `tool_call`, `error`). v2 gives the unified string; v3/v4 give `{ unified, raw }`. When the
 * unified value is outside the vocabulary (`other`, `unknown`, `interrupted`), the provider's raw
 * reason is mapped instead if there is one, else the unified value passes through.
 */
export function normalizeFinishReason(reason: unknown): string | undefined {
  const unified = typeof reason === 'string' ? reason : isRecord(reason) ? reason.unified : undefined;
  const raw = isRecord(reason) && typeof reason.raw === 'string' ? reason.raw : undefined;
  if (typeof unified === 'string' && UNIFIED[unified]) return UNIFIED[unified];
  if (raw) return finishReason(raw);
  return typeof unified === 'string' && unified !== '' ? unified : undefined;
}

/**
 * A file part's data as a GenAI part that never inlines bytes. v2/v3 carry `Uint8Array | string |
 * URL`; v4 tags it: `{ type: 'data', data }`, `{ type: 'url', url }`, `{ type: 'reference' }`,
 * `{ type: 'text', text }`.
 */
export function filePart(data: unknown, mediaType: string | undefined): GenAiPart {
  if (isRecord(data) && typeof data.type === 'string' && !ArrayBuffer.isView(data)) {
    switch (data.type) {
      case 'data':
        return binaryPart(data.data, mediaType);
      case 'url':
        return binaryPart(data.url, mediaType);
      case 'text':
        return binaryPart(typeof data.text === 'string' ? new TextEncoder().encode(data.text) : undefined, mediaType);
      default:
        return binaryPart(undefined, mediaType);
    }
  }
  return binaryPart(data, mediaType);
}

/** Tool-call arguments: the AI SDK sends JSON text; record the parsed value when it parses. */
export function toolArguments(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
