/**
 * A Bun server: a streaming AI SDK route traced per request with the caller's identity. Bun runs
 * the package's Node build; a long-lived server needs no flush call (the export queue sends each
 * batch within a second), and `basalt.shutdown()` on SIGTERM/SIGINT sends the rest.
 *
 *   bun examples/runtimes/bun-server.ts      (PORT, OPENAI_API_KEY, OPENAI_BASE_URL, BASALT_API_KEY)
 *
 * Checked by .ci/runtimes against a local OTLP receiver.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { streamText, wrapLanguageModel } from 'ai';
import { Basalt } from 'basalt-observe';
import { basaltMiddleware } from 'basalt-observe/ai-sdk';

// Bun's own global (typed by @types/bun in a Bun app).
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request): Promise<Response>;
  }): { url: URL };
};

const basalt = new Basalt({ telemetry: { serviceName: 'bun-example' } });
const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL });
const model = wrapLanguageModel({
  model: openai.chat('gpt-4o-mini'),
  middleware: basaltMiddleware({ featureSlug: 'bun-chat' }),
});

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  async fetch(request) {
    const { prompt } = (await request.json()) as { prompt: string };
    const result = streamText({
      model,
      prompt,
      providerOptions: { basalt: { identity: { user: { id: request.headers.get('x-user-id') ?? 'anonymous' } } } },
    });
    return result.toTextStreamResponse();
  },
});
console.log(`listening ${server.url}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    await basalt.shutdown();
    process.exit(0);
  });
}
