import { TRUNCATION_MARKER } from './tracing/serialize.js';

/**
 * Bytes of a response body read at most: past it the rest is let go unread. An error keeps what was
 * read on `body`, cut with a marker; a 2xx this long is not what was asked for and is an invalid response.
 */
export const MAX_BODY_BYTES = 64 * 1024;

interface Body {
  /** The parsed JSON when `json`, else the text (cut with a marker when `truncated`). */
  value: unknown;
  json: boolean;
  truncated: boolean;
}

/**
 * The response body, at most `MAX_BODY_BYTES` of it, JSON-parsed when it is whole JSON, with the API
 * key scrubbed should the server echo it (a key cut by the cap loses its visible head too).
 */
export async function readBody(response: Response, apiKey: string, limit = MAX_BODY_BYTES): Promise<Body> {
  const { text, truncated } = await readCapped(response, limit);
  let scrubbed = text.split(apiKey).join('[redacted]');
  if (truncated) {
    for (let length = Math.min(apiKey.length - 1, scrubbed.length); length > 0; length--) {
      if (scrubbed.endsWith(apiKey.slice(0, length))) {
        scrubbed = scrubbed.slice(0, -length);
        break;
      }
    }
    return { value: `${scrubbed}${TRUNCATION_MARKER}`, json: false, truncated };
  }
  try {
    return { value: JSON.parse(scrubbed) as unknown, json: true, truncated };
  } catch {
    return { value: scrubbed, json: false, truncated };
  }
}

/**
 * Reads at most `limit` bytes of a body and cancels the stream past them, so a server cannot make
 * the package hold more; `truncated` when there was more. A read error (the deadline) rejects.
 */
async function readCapped(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  const reader = response.body?.getReader();
  if (!reader) return { text: '', truncated: false };
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), truncated: false };
      if (value.byteLength > limit - bytes) {
        // A character split by the cut stays in the decoder: the text ends on a whole character.
        text += decoder.decode(value.subarray(0, limit - bytes), { stream: true });
        return { text, truncated: true };
      }
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
