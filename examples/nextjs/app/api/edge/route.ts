import { createOpenAI } from '@ai-sdk/openai';
import { streamText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { after } from 'next/server';

// The same chat on the edge runtime. Next.js bundles this route with the `edge-light` condition, so
// it gets basalt-observe's edge build: OTLP/HTTP through fetch (no gRPC, no file system) and the
// runtime's AsyncLocalStorage (docs/runtimes.md). Set BASALT_OTEL_EXPORTER_OTLP_ENDPOINT to an
// OTLP/HTTP endpoint: a gRPC one is replaced by OTLP/HTTP there, with a warning.
export const runtime = 'edge';

// Edge code does not share the Node.js server's modules (lib/basalt.ts, instrumentation.ts): it has
// its client, made once per edge instance.
const basalt = new Basalt({ telemetry: { serviceName: 'nextjs-edge-example' } });

const openai = createOpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY ?? 'local',
});

const model = wrapLanguageModel({
  model: openai.chat(process.env.OPENAI_MODEL ?? 'gpt-4o-mini'),
  middleware: basaltMiddleware({ featureSlug: 'chat-edge', name: 'chat_edge_request' }),
});

export async function POST(request: Request): Promise<Response> {
  let prompt: unknown;
  try {
    ({ prompt } = (await request.json()) as { prompt?: unknown });
  } catch {
    return Response.json({ error: 'expected a JSON body' }, { status: 400 });
  }
  if (typeof prompt !== 'string') return Response.json({ error: 'expected `prompt`' }, { status: 400 });
  const userId = request.headers.get('x-user-id');
  const result = streamText({
    model,
    prompt,
    providerOptions: userId ? { basalt: { identity: { user: { id: userId } } } } : undefined,
  });
  // After the response has been streamed (the generation span has ended), through the platform's
  // waitUntil.
  after(() => basalt.flush());
  return result.toTextStreamResponse();
}
