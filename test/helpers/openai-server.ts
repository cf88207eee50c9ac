import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small OpenAI-compatible server for end-to-end tests of the adapters (`@ai-sdk/openai`,
 * `@langchain/openai`). It listens on 127.0.0.1 only, records every request, and answers
 * `POST /v1/chat/completions` from a script: JSON for a plain request, SSE (`data: {...}` lines, then
 * `data: [DONE]`) when the body has `stream: true`, with usage in the last chunk when the client asks
 * for it (`stream_options.include_usage`, as both clients do). `POST /v1/embeddings` always answers
 * with small deterministic vectors.
 *
 * @example
 * const server = await startOpenAIServer({ replies: [{ type: 'text', text: 'Hello!' }, { type: 'error', status: 500 }] });
 * const openai = createOpenAI({ baseURL: server.baseURL, apiKey: 'test-key' });
 * // ... server.requests[0].body.messages ...
 * await server.close();
 */

export interface ScriptedUsage {
  promptTokens: number;
  completionTokens: number;
  /** `prompt_tokens_details.cached_tokens`. */
  cachedTokens?: number;
  /** `completion_tokens_details.reasoning_tokens`. */
  reasoningTokens?: number;
}

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** JSON text, or an object that is serialized. */
  arguments: string | Record<string, unknown>;
}

/** What text and tool-call replies share. */
interface ReplyMeta {
  /** Default `stop` for text, `tool_calls` for tool calls. */
  finishReason?: string;
  /** Default 10 prompt and 5 completion tokens. */
  usage?: ScriptedUsage;
  /** Response id. Default `chatcmpl-<request number>`. */
  id?: string;
  /** Response model. Default: the requested model. */
  model?: string;
}

/** One reply of the server. The same reply serves a JSON request and a streaming (SSE) request. */
export type ScriptedReply =
  /** `chunks`: how the text is split into SSE chunks; default word by word. */
  | (ReplyMeta & { type: 'text'; text: string; chunks?: string[] })
  | (ReplyMeta & { type: 'tool_calls'; toolCalls: ScriptedToolCall[] })
  /** An HTTP error: `{ error: { message, type: 'server_error', code } }` with this status. */
  | { type: 'error'; status: number; message?: string; code?: string };

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (or the raw text when it is not JSON). */
  body: unknown;
}

export interface OpenAIServerOptions {
  /**
   * Replies to chat-completion requests, in order; once the list is used up its last reply repeats.
   * Or a function of the request and its index among chat-completion requests (0-based).
   * Default: one text reply, `Hello from the test server.`
   */
  replies?: ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply);
  /** Pause between SSE chunks in milliseconds. Default 0. */
  chunkDelayMs?: number;
}

export interface OpenAIServer {
  /** `http://127.0.0.1:<port>/v1`: the `baseURL` of `createOpenAI` or `ChatOpenAI`'s `configuration`. */
  baseURL: string;
  /** Every request received, in order (chat completions, embeddings, anything else). */
  requests: RecordedRequest[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const DEFAULT_REPLY: ScriptedReply = { type: 'text', text: 'Hello from the test server.' };
const DEFAULT_USAGE: ScriptedUsage = { promptTokens: 10, completionTokens: 5 };

/** Starts the server on 127.0.0.1 and an ephemeral port. */
export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const requests: RecordedRequest[] = [];
  let chatCount = 0;
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await record(req);
    requests.push(request);
    if (request.method === 'POST' && request.path.startsWith('/v1/chat/completions')) {
      const index = chatCount++;
      const reply = pickReply(options.replies, request, index);
      await answerChat(res, reply, request, index + 1, options.chunkDelayMs ?? 0);
    } else if (request.method === 'POST' && request.path.startsWith('/v1/embeddings')) {
      answerEmbeddings(res, request);
    } else {
      sendJson(res, 404, {
        error: { message: `No route for ${request.method} ${request.path}`, type: 'invalid_request_error' },
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The same function under the short name other tests use. */
export { startOpenAIServer as start };

function pickReply(replies: OpenAIServerOptions['replies'], request: RecordedRequest, index: number): ScriptedReply {
  if (typeof replies === 'function') return replies(request, index);
  if (!replies || replies.length === 0) return DEFAULT_REPLY;
  return replies[Math.min(index, replies.length - 1)] ?? DEFAULT_REPLY;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Keep the raw text.
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

async function answerChat(
  res: ServerResponse,
  reply: ScriptedReply,
  request: RecordedRequest,
  number: number,
  delayMs: number,
): Promise<void> {
  if (reply.type === 'error') {
    const message = reply.message ?? `Scripted error ${reply.status}`;
    sendJson(res, reply.status, { error: { message, type: 'server_error', code: reply.code ?? null } });
    return;
  }
  const body = (request.body ?? {}) as ChatBody;
  const meta = {
    id: reply.id ?? `chatcmpl-${number}`,
    created: 1_700_000_000,
    model: reply.model ?? body.model ?? 'gpt-test',
  };
  if (!body.stream) {
    sendJson(res, 200, { ...meta, object: 'chat.completion', ...completion(reply) });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunks = streamChunks(reply);
  if (body.stream_options?.include_usage) chunks.push({ choices: [], usage: usageJson(reply.usage) });
  for (const chunk of chunks) {
    if (res.destroyed) return;
    res.write(`data: ${JSON.stringify({ ...meta, object: 'chat.completion.chunk', ...chunk })}\n\n`);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  res.end('data: [DONE]\n\n');
}

type MessageReply = Exclude<ScriptedReply, { type: 'error' }>;

function completion(reply: MessageReply): Record<string, unknown> {
  const message =
    reply.type === 'text'
      ? { role: 'assistant', content: reply.text, refusal: null }
      : {
          role: 'assistant',
          content: null,
          tool_calls: reply.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: argumentsText(call) },
          })),
        };
  return {
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(reply) }],
    usage: usageJson(reply.usage),
  };
}

function streamChunks(reply: MessageReply): Array<Record<string, unknown>> {
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks = [choice({ role: 'assistant', content: '' })];
  if (reply.type === 'text') {
    const pieces = reply.chunks ?? reply.text.match(/\S+\s*|\s+/g) ?? [];
    for (const piece of pieces) chunks.push(choice({ content: piece }));
  } else {
    reply.toolCalls.forEach((call, index) => {
      const head = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      chunks.push(choice({ tool_calls: [head] }));
      chunks.push(choice({ tool_calls: [{ index, function: { arguments: argumentsText(call) } }] }));
    });
  }
  chunks.push(choice({}, finishReasonOf(reply)));
  return chunks;
}

function finishReasonOf(reply: MessageReply): string {
  return reply.finishReason ?? (reply.type === 'text' ? 'stop' : 'tool_calls');
}

function argumentsText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

function usageJson(usage: ScriptedUsage = DEFAULT_USAGE): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

function answerEmbeddings(res: ServerResponse, request: RecordedRequest): void {
  const body = (request.body ?? {}) as {
    input?: unknown;
    model?: string;
    dimensions?: number;
    encoding_format?: string;
  };
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const dimensions = body.dimensions ?? 3;
  const data = inputs.map((_, index) => {
    const vector = Array.from({ length: dimensions }, (_, d) => (index + 1) / (d + 2));
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = inputs.length * 4;
  sendJson(res, 200, {
    object: 'list',
    data,
    model: body.model ?? 'text-embedding-test',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
