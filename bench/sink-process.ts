import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * An OTLP/HTTP receiver in a process of its own on 127.0.0.1 (any path, protobuf or JSON): answers
 * 200 at once and counts requests and bytes, so that the exporters under test pay for encoding and
 * sending, and the receiving side's CPU is not the benchmark's. `GET /stats` returns the counts.
 */
const SOURCE = `
const http = require('node:http');
const counts = { requests: 0, bytes: 0 };
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(counts));
    return;
  }
  req.on('data', (chunk) => { counts.bytes += chunk.length; });
  req.on('end', () => {
    counts.requests++;
    res.writeHead(200, { 'content-type': req.headers['content-type'] || 'application/x-protobuf' });
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

export interface SinkProcess {
  /** `http://127.0.0.1:<port>`: add the path your exporter wants (`/v1/traces`). */
  base: string;
  stats(): Promise<{ requests: number; bytes: number }>;
  close(): Promise<void>;
}

export async function startSinkProcess(): Promise<SinkProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SOURCE], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const base = `http://127.0.0.1:${chunk.toString().trim()}`;
  return {
    base,
    async stats() {
      const res = await fetch(`${base}/stats`);
      return (await res.json()) as { requests: number; bytes: number };
    },
    async close() {
      child.kill();
      await once(child, 'exit');
    },
  };
}
