/**
 * A Vercel Edge Function (`export const config = { runtime: 'edge' }`): a streaming AI SDK route
 * traced per request with the caller's identity, exported over OTLP/HTTP with `fetch`, flushed
 * through the platform's `waitUntil`. The same code serves as a Next.js route handler with
 * `export const runtime = 'edge'` (pass `after` or `waitUntil` from `@vercel/functions`).
 * Checked by .ci/runtimes in Vercel's edge-runtime, bundled as Next.js bundles edge code.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { streamText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';

export const config = { runtime: 'edge' };

// On Vercel's edge runtime `process.env` holds the variables, and nothing else of `process` exists.
const basalt = new Basalt({ telemetry: { serviceName: 'edge-example' } });

const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL });
const model = wrapLanguageModel({
  model: openai.chat('gpt-4o-mini'),
  middleware: basaltMiddleware({ featureSlug: 'edge-chat' }),
});

export default async function handler(
  request: Request,
  context: { waitUntil(promise: Promise<unknown>): void },
): Promise<Response> {
  const { prompt } = (await request.json()) as { prompt: string };
  const result = streamText({
    model,
    prompt,
    providerOptions: { basalt: { identity: { user: { id: request.headers.get('x-user-id') ?? 'anonymous' } } } },
    // The span ends with the stream, after the handler returned: export it within the request.
    onFinish: () => context.waitUntil(basalt.flush()),
    onError: () => context.waitUntil(basalt.flush()),
  });
  return result.toTextStreamResponse();
}
