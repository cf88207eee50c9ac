/**
 * A Cloudflare Worker: a streaming AI SDK route traced per request with the caller's identity,
 * exported over OTLP/HTTP with `fetch`, and flushed through the request's `ctx.waitUntil` so nothing
 * is lost when the Worker returns. Runs with or without the nodejs_compat flag (docs/runtimes.md).
 *
 *   POST /chat  { "prompt": "..." }   x-user-id: <id>   → the model's text, streamed
 *   GET  /quick                                           → a root with two children, as JSON
 *
 * wrangler.toml: `main = "worker.ts"`, `compatibility_flags = ["nodejs_compat"]` (optional), and the
 * variables below. Checked by .ci/runtimes under Miniflare (workerd) in three setups.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { streamText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';

interface Env {
  BASALT_API_KEY?: string;
  /** An OTLP/HTTP endpoint (`https://host:4318`); a gRPC one is replaced by OTLP/HTTP, with a warning. */
  BASALT_OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OPENAI_API_KEY: string;
  OPENAI_BASE_URL?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

// Workers hand the environment to the handler, not to process.env: the client is made on the first
// request, once per isolate (one client per process, SPEC §2).
let basalt: Basalt | undefined;

function client(env: Env): Basalt {
  basalt ??= new Basalt({
    apiKey: env.BASALT_API_KEY,
    telemetry: { endpoint: env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: 'worker-example' },
  });
  return basalt;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const basalt = client(env);
    const url = new URL(request.url);
    if (url.pathname === '/quick') {
      // Nesting through the active context needs AsyncLocalStorage (nodejs_compat); an explicit
      // parent works everywhere.
      const root = basalt.startObserve({ name: 'quick', featureSlug: 'worker-quick' });
      const nested = await root.run(() => basalt.observe({ name: 'nested' }, async () => 'by context'));
      const explicit = await basalt.observe({ name: 'explicit', parent: root }, async () => 'by parent');
      root.end();
      ctx.waitUntil(basalt.flush());
      return Response.json({ nested, explicit });
    }
    const { prompt } = (await request.json()) as { prompt: string };
    const openai = createOpenAI({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL });
    const model = wrapLanguageModel({
      model: openai.chat('gpt-4o-mini'),
      middleware: basaltMiddleware({ featureSlug: 'worker-chat' }),
    });
    const result = streamText({
      model,
      prompt,
      providerOptions: { basalt: { identity: { user: { id: request.headers.get('x-user-id') ?? 'anonymous' } } } },
      // The generation span ends with the stream, after this handler returned: export it then,
      // inside the request's lifetime.
      onFinish: () => ctx.waitUntil(basalt.flush()),
      onError: () => ctx.waitUntil(basalt.flush()),
    });
    return result.toTextStreamResponse();
  },
};
