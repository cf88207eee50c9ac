import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { GRPC_HOST, GrpcHostRoute } from './grpc-host-route.js';
import { closedPort } from './http-server.js';
import { decodeSpans, type ReceivedSpan } from './otlp-decode.js';

export type { ReceivedAttributes, ReceivedSpan, ReceivedValue } from './otlp-decode.js';

/** One export request: HTTP headers, or gRPC metadata, with lower-case keys. */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  /** Spans in the request, whether or not the receiver accepted them. */
  spanCount: number;
}

export interface OtlpReceiverOptions {
  protocol: 'http' | 'grpc';
  /**
   * Answer every export with this HTTP status (default 200). Over gRPC it maps to the matching
   * status code: 400 → INVALID_ARGUMENT, 401 → UNAUTHENTICATED, 403 → PERMISSION_DENIED,
   * 429 → RESOURCE_EXHAUSTED, 503 → UNAVAILABLE, any other error → INTERNAL.
   */
  status?: number;
  /** Hold every response this long (ms). */
  delayMs?: number;
  /** No server at all: the endpoint's port was opened and closed, so connecting is refused. */
  closed?: boolean;
  /**
   * A black hole: a TCP server that accepts every connection and never reads or answers. Whatever
   * the protocol, the exporter waits for its own deadline.
   */
  blackHole?: boolean;
  /** A TCP server that resets every connection as soon as it is accepted (`ECONNRESET`). */
  reset?: boolean;
}

export interface OtlpReceiver {
  /**
   * What to pass as `telemetry.endpoint`. OTLP/HTTP: `http://127.0.0.1:<port>/v1/traces`. gRPC:
   * `http://grpc.localhost:<port>`, whose host contains `grpc` so the endpoint rule (§8) picks
   * OTLP/gRPC; see `startOtlpReceiver` for how that name reaches 127.0.0.1.
   */
  endpoint: string;
  /** Spans of every accepted export (2xx / OK), in arrival order. */
  spans: ReceivedSpan[];
  /** Every export request received, accepted or not. */
  requests: ReceivedRequest[];
  /** Resolves with `spans` once at least `n` arrived; rejects after `timeoutMs` saying how many did. */
  waitForSpans(n: number, timeoutMs: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/**
 * A real OTLP trace collector on 127.0.0.1 for tests: OTLP/HTTP protobuf (any path) or OTLP/gRPC
 * (`TraceService/Export`), decoding what arrives, with faults on demand (status, delay, closed,
 * black hole, reset).
 *
 * gRPC: the endpoint rule sends a random-port endpoint over gRPC only when its host contains `grpc`,
 * and no such name resolves to loopback without editing `/etc/hosts`. So while a gRPC receiver is
 * open, `grpc_proxy` points grpc-js at a CONNECT proxy on 127.0.0.1 that tunnels
 * `grpc.localhost:<port>` to `127.0.0.1:<port>`: the exporter's bytes reach the server unchanged.
 *
 * @example
 * const receiver = await startOtlpReceiver({ protocol: 'http', status: 503 });
 * new Basalt({ apiKey, telemetry: { endpoint: receiver.endpoint } });
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const state = new ReceiverState(options);
  const port = options.closed ? await closedPort() : await state.listen();
  const viaProxy = options.protocol === 'grpc' ? await GrpcHostRoute.acquire() : undefined;
  const endpoint = options.protocol === 'http' ? `http://127.0.0.1:${port}/v1/traces` : `http://${GRPC_HOST}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    spans: state.spans,
    requests: state.requests,
    waitForSpans: (n, timeoutMs) => state.waitForSpans(n, timeoutMs),
    close() {
      closing ??= (async () => {
        await state.close();
        await viaProxy?.release();
      })();
      return closing;
    },
  };
}

class ReceiverState {
  readonly spans: ReceivedSpan[] = [];
  readonly requests: ReceivedRequest[] = [];
  readonly #options: OtlpReceiverOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<() => void>();
  #stop: (() => Promise<void>) | undefined;

  constructor(options: OtlpReceiverOptions) {
    this.#options = options;
  }

  listen(): Promise<number> {
    if (this.#options.blackHole || this.#options.reset) return this.#listenTcp();
    return this.#options.protocol === 'http' ? this.#listenHttp() : this.#listenGrpc();
  }

  /** Records a request, and its spans when the receiver accepts them; returns whether it does. */
  receive(path: string, headers: Record<string, string>, body: Uint8Array): boolean {
    const spans = decodeSpans(body);
    this.requests.push({ path, headers, spanCount: spans.length });
    const accepted = (this.#options.status ?? 200) < 300;
    if (accepted) {
      this.spans.push(...spans);
      for (const wake of this.#waiters) wake();
    }
    return accepted;
  }

  /** Runs `respond` after the configured delay; pending responses are dropped on close. */
  later(respond: () => void): void {
    const delay = this.#options.delayMs ?? 0;
    if (delay <= 0) {
      respond();
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      respond();
    }, delay);
    this.#timers.add(timer);
  }

  waitForSpans(n: number, timeoutMs: number): Promise<ReceivedSpan[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.spans.length < n) return;
        finish();
        resolve(this.spans);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`received ${this.spans.length} of ${n} spans within ${timeoutMs} ms`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.#stop?.();
  }

  /** The TCP-level faults: accept and hold every connection silently, or reset it at once. */
  async #listenTcp(): Promise<number> {
    const sockets = new Set<Socket>();
    const server = createTcpServer((socket) => {
      if (this.#options.reset) {
        socket.resetAndDestroy();
        return;
      }
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#stop = () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    return (server.address() as AddressInfo).port;
  }

  async #listenHttp(): Promise<number> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.receive(req.url ?? '', flatHeaders(req.headers), Buffer.concat(chunks));
        this.later(() => {
          res.writeHead(this.#options.status ?? 200, { 'content-type': 'application/x-protobuf' });
          res.end();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#stop = () => closeHttpServer(server);
    return (server.address() as AddressInfo).port;
  }

  async #listenGrpc(): Promise<number> {
    const server = new grpc.Server();
    const raw = (value: Buffer) => value;
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    };
    const status = this.#options.status ?? 200;
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const metadata = Object.fromEntries(
          Object.entries(call.metadata.getMap()).map(([key, value]) => [key, String(value)]),
        );
        const accepted = this.receive(EXPORT_PATH, metadata, call.request);
        this.later(() =>
          accepted
            ? callback(null, Buffer.alloc(0))
            : callback({ code: grpcStatusFor(status), details: `receiver answers ${status}` }),
        );
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.#stop = async () => server.forceShutdown();
    return port;
  }
}

function grpcStatusFor(httpStatus: number): grpc.status {
  const map: Record<number, grpc.status> = {
    400: grpc.status.INVALID_ARGUMENT,
    401: grpc.status.UNAUTHENTICATED,
    403: grpc.status.PERMISSION_DENIED,
    429: grpc.status.RESOURCE_EXHAUSTED,
    503: grpc.status.UNAVAILABLE,
  };
  return map[httpStatus] ?? grpc.status.INTERNAL;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
