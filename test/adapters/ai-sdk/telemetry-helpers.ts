import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { BasaltLanguageModelMiddleware } from '../../../src/adapters/ai-sdk/index.js';

/** Our middleware absent: the model is wrapped by a middleware that only passes the call on. */
export const passThrough = {
  specificationVersion: 'v3',
  transformParams: async ({ params }) => params,
  wrapGenerate: async ({ doGenerate }) => doGenerate(),
  wrapStream: async ({ doStream }) => doStream(),
} as BasaltLanguageModelMiddleware;

/** Every exported span, once `count` are there: some AI SDK spans end after the root (ai 6 `ai.streamText`). */
export async function exported(spans: () => Promise<ReadableSpan[]>, count: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100; i++) {
    const found = await spans();
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return spans();
}
