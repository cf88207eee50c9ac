import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

// Routes `grpc.localhost:<port>` to 127.0.0.1:<port> through a CONNECT proxy on 127.0.0.1, for the
// test OTLP/gRPC receiver (see otlp-receiver.ts). Child processes started meanwhile inherit it.

/** A host that contains `grpc`, so the endpoint rule (§8) picks OTLP/gRPC for any port. */
export const GRPC_HOST = 'grpc.localhost';
const PROXY_ENV = ['grpc_proxy', 'no_grpc_proxy'] as const;

/**
 * One CONNECT proxy per process, shared by the open gRPC receivers. While it runs, `grpc_proxy`
 * points grpc-js at it and `no_grpc_proxy` (which grpc-js reads instead of `no_proxy`) excludes
 * nothing that could bypass it; both are restored when the last receiver closes. grpc-js reads
 * them when a channel is created, that is on the exporter's first export.
 */
export class GrpcHostRoute {
  static #shared: Promise<GrpcHostRoute> | undefined;
  static #users = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #savedEnv: Record<string, string | undefined> = {};

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Starts the route for the first user; the last `release()` stops it and restores the env. */
  static async acquire(): Promise<{ release(): Promise<void> }> {
    GrpcHostRoute.#users++;
    GrpcHostRoute.#shared ??= GrpcHostRoute.#start();
    await GrpcHostRoute.#shared;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        GrpcHostRoute.#users--;
        const shared = GrpcHostRoute.#shared;
        if (GrpcHostRoute.#users === 0 && shared) {
          GrpcHostRoute.#shared = undefined;
          await (await shared).#stop();
        }
      },
    };
  }

  static async #start(): Promise<GrpcHostRoute> {
    const server = createServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    const route = new GrpcHostRoute(server);
    server.on('connect', (req, socket: Socket, head: Buffer) => route.#tunnel(req.url ?? '', socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (const key of PROXY_ENV) route.#savedEnv[key] = process.env[key];
    process.env.grpc_proxy = `http://127.0.0.1:${port}`;
    process.env.no_grpc_proxy = 'no-bypass.invalid';
    return route;
  }

  #tunnel(target: string, client: Socket, head: Buffer): void {
    this.#sockets.add(client);
    client.on('close', () => this.#sockets.delete(client));
    client.on('error', () => client.destroy());
    const match = /^([^:]+):(\d+)$/.exec(target);
    if (!match || match[1] !== GRPC_HOST) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), '127.0.0.1');
    let connected = false;
    this.#sockets.add(upstream);
    upstream.on('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    // A refused upstream (a closed receiver) is told to the client as the proxy would: 502.
    upstream.on('error', () => {
      if (!connected) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    upstream.on('close', () => {
      this.#sockets.delete(upstream);
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  async #stop(): Promise<void> {
    for (const key of PROXY_ENV) {
      const saved = this.#savedEnv[key];
      if (saved === undefined) delete process.env[key];
      else process.env[key] = saved;
    }
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
