import { createOpenAI } from '@ai-sdk/openai';
import { type ModelMessage, streamText, wrapLanguageModel } from 'ai';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { after } from 'next/server';
import { basalt } from '@/lib/basalt';

// The Node.js runtime: the tracing registered in instrumentation.ts (app/api/edge/route.ts is the edge variant).
export const runtime = 'nodejs';

const openai = createOpenAI({
  baseURL: process.env.OPENAI_BASE_URL, // undefined: OpenAI's API
  apiKey: process.env.OPENAI_API_KEY ?? 'local',
});

// Wrapped once, at module scope: every call through `model` is traced. Outside a Basalt trace the
// middleware opens the root span itself (feature `chat`), with one `generation` span per model call.
const model = wrapLanguageModel({
  model: openai.chat(process.env.OPENAI_MODEL ?? 'gpt-4o-mini'),
  middleware: basaltMiddleware({ featureSlug: 'chat', name: 'chat_request' }),
});

interface ChatRequest {
  userId?: string;
  userName?: string;
  prompt?: string;
  messages?: ModelMessage[];
}

export async function POST(request: Request): Promise<Response> {
  let body: ChatRequest;
  try {
    body = (await request.json()) as ChatRequest;
  } catch {
    return Response.json({ error: 'expected a JSON body' }, { status: 400 });
  }
  const messages: ModelMessage[] = body.messages ?? (body.prompt ? [{ role: 'user', content: body.prompt }] : []);
  if (messages.length === 0) return Response.json({ error: 'expected `prompt` or `messages`' }, { status: 400 });

  // Who this request serves: in a real app, from your session; here, a header or the body.
  const userId = request.headers.get('x-user-id') ?? body.userId;
  const userName = request.headers.get('x-user-name') ?? body.userName;

  const result = streamText({
    model,
    messages,
    // Per-request values for the middleware; removed before the provider sees the call.
    providerOptions: userId
      ? { basalt: { identity: { user: { id: userId, ...(userName ? { name: userName } : {}) } } } }
      : undefined,
  });

  // Export this request's spans once the response has been streamed, without delaying it.
  after(() => basalt.flush());

  return result.toTextStreamResponse();
}
