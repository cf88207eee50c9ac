/**
 * Vercel AI SDK: a streaming chat route with the Basalt middleware and per-request identity.
 * The same handler works in a Next.js route (`app/api/chat/route.ts`, see examples/nextjs); here it
 * is served by node:http on 127.0.0.1, and the script sends itself one request.
 *
 *   npx tsx examples/ai-sdk-stream.ts          # local model, local mode
 *   OPENAI_API_KEY=… BASALT_API_KEY=… npx tsx examples/ai-sdk-stream.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openai } from '@ai-sdk/openai';
import { streamText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { localLanguageModel } from './local-models.js';

const basalt = new Basalt();

// One wrapped model for the whole app; who the call serves comes with each request.
const model = wrapLanguageModel({
  model: process.env.OPENAI_API_KEY ? openai('gpt-4o-mini') : localLanguageModel(),
  middleware: basaltMiddleware({ featureSlug: 'chat', name: 'chat_request' }),
});

/** The route: a Web `Request` in, a streamed `Response` out (the shape of a Next.js route handler). */
async function POST(request: Request): Promise<Response> {
  const { prompt } = (await request.json()) as { prompt: string };
  const result = streamText({
    model,
    prompt,
    providerOptions: {
      basalt: { identity: { user: { id: request.headers.get('x-user-id') ?? 'anonymous' } } },
    },
  });
  return result.toTextStreamResponse();
}

const server = createServer(async (req, res) => {
  const body: Buffer[] = [];
  for await (const chunk of req) body.push(chunk as Buffer);
  const response = await POST(
    new Request(`http://localhost${req.url}`, {
      method: 'POST',
      headers: req.headers as Record<string, string>,
      body: Buffer.concat(body),
    }),
  );
  res.writeHead(response.status, Object.fromEntries(response.headers));
  for await (const chunk of response.body ?? []) res.write(chunk);
  res.end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const reply = await fetch(`http://127.0.0.1:${port}/api/chat`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-user-id': 'user-123' },
  body: JSON.stringify({ prompt: 'Say hello in five words.' }),
});
console.log('streamed reply →', await reply.text());

server.close();
await basalt.shutdown();
