import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type * as Grpc from '@grpc/grpc-js';
import { grpcEndpointUrl } from '../endpoint.js';
import { redactUrl } from '../errors.js';
import type { OtlpTransport, SendOutcome } from './otlp-exporter.js';
import { aborted, statusOutcome, USER_AGENT } from './otlp-response.js';

/** Network errors worth another attempt (as OpenTelemetry's exporters do). */
const RETRYABLE_NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

interface HttpClient {
  request(url: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest;
  agent: Agent;
}

/**
 * OTLP/HTTP protobuf: one POST per attempt to `url`, through a keep-alive agent of its own.
 *
 * `node:http` (or `https`) is loaded on the first export and its `request` looked up on each one,
 * as an app's HTTP instrumentation expects (the export runs with tracing suppressed, so it records
 * nothing). Sockets are `unref`'d: an export never keeps the process alive by itself; a flush or a
 * shutdown that awaits it does, until its timeout (`withTimeout`). `close()` destroys the agent.
 */
export function httpTransport(url: string, headers: Record<string, string>): OtlpTransport {
  const target = new URL(url);
  /** The URL as messages show it: never its credentials (#10.12, #11.3). */
  const printable = redactUrl(url);
  let client: Promise<HttpClient> | undefined;
  let agent: Agent | undefined;
  const load = async (): Promise<HttpClient> => {
    const http =
      target.protocol === 'https:' ? (await import('node:https')).default : (await import('node:http')).default;
    agent = new http.Agent({ keepAlive: true });
    return { request: (...args) => http.request(...args), agent };
  };
  return {
    async send(body, timeoutMs, signal) {
      if (timeoutMs <= 0) return { kind: 'retry', error: new Error('export deadline passed') };
      client ??= load();
      const { request, agent: keepAlive } = await client;
      if (signal.aborted) return aborted();
      return new Promise<SendOutcome>((resolve) => {
        let settled = false;
        const finish = (outcome: SendOutcome, destroy: boolean) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', stop);
          if (destroy) req.destroy();
          resolve(outcome);
        };
        const req = request(
          target,
          {
            method: 'POST',
            agent: keepAlive,
            headers: {
              'content-type': 'application/x-protobuf',
              'content-length': String(body.byteLength),
              'user-agent': USER_AGENT,
              ...headers,
            },
          },
          (res) => {
            res.resume(); // the body (a partial-success message at most) is not needed
            res.on('end', () => finish(responseOutcomeOf(res, printable), false));
            res.on('error', (error) => finish({ kind: 'retry', error }, true));
          },
        );
        const stop = () => finish(aborted(), true);
        const timer = setTimeout(
          () =>
            finish(
              { kind: 'retry', error: new Error(`OTLP export to ${printable} timed out after ${timeoutMs} ms`) },
              true,
            ),
          timeoutMs,
        );
        timer.unref?.();
        signal.addEventListener('abort', stop, { once: true });
        req.on('socket', (socket) => socket.unref());
        req.on('error', (error: NodeJS.ErrnoException) => {
          const named = new Error(`OTLP export to ${printable} failed: ${error.code ?? error.message}`, {
            cause: error,
          });
          finish({ kind: RETRYABLE_NETWORK_ERRORS.has(error.code ?? '') ? 'retry' : 'fail', error: named }, true);
        });
        req.end(body);
      });
    },
    close() {
      agent?.destroy();
    },
  };
}

function responseOutcomeOf(res: IncomingMessage, url: string): SendOutcome {
  return statusOutcome(res.statusCode ?? 0, res.statusMessage, res.headers['retry-after'], url);
}

const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** gRPC codes OTLP says to retry: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS. */
const RETRYABLE_CODES = new Set([1, 4, 10, 11, 14, 15]);

/**
 * OTLP/gRPC: one unary `TraceService/Export` call per attempt, on a channel opened at the first
 * export. grpc-js keeps the process alive while a call is active (until the call's deadline at
 * most), so `close()` cancels the calls in flight, then closes the channel.
 */
export function grpcTransport(endpoint: string, metadata: Record<string, string>): OtlpTransport {
  const { address, secure } = grpcTarget(endpoint);
  const calls = new Set<Grpc.ClientUnaryCall>();
  let client: Grpc.Client | undefined;
  let meta: Grpc.Metadata | undefined;
  return {
    async send(body, timeoutMs, signal) {
      if (timeoutMs <= 0) return { kind: 'retry', error: new Error('export deadline passed') };
      if (signal.aborted) return aborted();
      try {
        // Loaded on the first gRPC export, not on import: an app on OTLP/HTTP (or a runtime without
        // node:http2) never loads grpc-js (docs/decisions.md).
        const grpc = await loadGrpc();
        if (signal.aborted) return aborted();
        if (!meta) {
          meta = new grpc.Metadata();
          for (const [key, value] of Object.entries(metadata)) meta.set(key.toLowerCase(), value);
        }
        client ??= new grpc.Client(address, secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(), {
          'grpc.primary_user_agent': USER_AGENT,
        });
      } catch (error) {
        return { kind: 'fail', error: error as Error };
      }
      const channel = client;
      const callMeta = meta;
      return new Promise<SendOutcome>((resolve) => {
        const raw = (value: Buffer) => value;
        const call = channel.makeUnaryRequest(
          EXPORT_METHOD,
          raw,
          raw,
          Buffer.from(body),
          callMeta,
          { deadline: Date.now() + timeoutMs },
          (error) => {
            calls.delete(call);
            signal.removeEventListener('abort', stop);
            if (signal.aborted) resolve(aborted());
            else if (!error) resolve({ kind: 'ok' });
            else resolve({ kind: RETRYABLE_CODES.has(error.code) ? 'retry' : 'fail', error });
          },
        );
        const stop = () => call.cancel();
        calls.add(call);
        signal.addEventListener('abort', stop, { once: true });
      });
    },
    close() {
      for (const call of calls) call.cancel();
      client?.close();
    },
  };
}

let grpcModule: Promise<typeof Grpc> | undefined;

function loadGrpc(): Promise<typeof Grpc> {
  grpcModule ??= import('@grpc/grpc-js');
  return grpcModule;
}

/**
 * The channel target, as OpenTelemetry's gRPC exporter derives it: `host:port` of the URL (a URL
 * without a scheme is read as https), TLS unless the scheme is `http:`.
 */
export function grpcTarget(endpoint: string): { address: string; secure: boolean } {
  const url = grpcEndpointUrl(endpoint);
  return { address: url.host, secure: url.protocol !== 'http:' };
}
