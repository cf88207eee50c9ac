/**
 * A Cloudflare Worker running a LangChain chain (prompt | ChatOpenAI | parser) traced per request
 * with the caller's identity by `BasaltCallbackHandler`, exported over OTLP/HTTP with `fetch` and
 * flushed through the request's `ctx.waitUntil`. LangChain needs the nodejs_compat flag on Workers
 * (its bundle imports `node:async_hooks`); docs/runtimes.md.
 *
 *   POST /ask  { "question": "..." }   x-user-id: <id>   → the chain's answer
 *
 * wrangler.toml: `main = "langchain-worker.ts"`, `compatibility_flags = ["nodejs_compat"]`, and the
 * variables below. Checked by .ci/runtimes under Miniflare (workerd).
 */
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { ChatOpenAI } from '@langchain/openai';
import { Basalt } from 'basalt-observe';
import { BasaltCallbackHandler } from 'basalt-observe/langchain';

interface Env {
  BASALT_API_KEY?: string;
  /** An OTLP/HTTP endpoint (`https://host:4318`). */
  BASALT_OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OPENAI_API_KEY: string;
  OPENAI_BASE_URL?: string;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

// One client per isolate, made on the first request (Workers hand the environment to the handler).
let basalt: Basalt | undefined;

const prompt = ChatPromptTemplate.fromMessages([
  ['system', 'You answer questions about orders in one sentence.'],
  ['human', '{question}'],
]);

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    basalt ??= new Basalt({
      apiKey: env.BASALT_API_KEY,
      telemetry: { endpoint: env.BASALT_OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: 'langchain-worker-example' },
    });
    const { question } = (await request.json()) as { question: string };
    const model = new ChatOpenAI({
      model: 'gpt-4o-mini',
      apiKey: env.OPENAI_API_KEY,
      configuration: { baseURL: env.OPENAI_BASE_URL },
    });
    const chain = prompt.pipe(model).pipe(new StringOutputParser());
    // The handler opens the trace's root for the chain, with this request's user.
    const handler = new BasaltCallbackHandler({
      featureSlug: 'worker-langchain',
      identity: { user: { id: request.headers.get('x-user-id') ?? 'anonymous' } },
    });
    try {
      return new Response(await chain.invoke({ question }, { callbacks: [handler] }));
    } finally {
      // The chain's spans have ended: export them within the request's lifetime.
      ctx.waitUntil(basalt.flush());
    }
  },
};
