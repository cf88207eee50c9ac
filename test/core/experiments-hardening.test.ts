import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Basalt,
  BasaltConfigError,
  BasaltInvalidResponseError,
  BasaltRateLimitError,
  BasaltServerError,
  BasaltTimeoutError,
} from '../../src/index.js';
import { closedPort, json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { resetTracing } from '../helpers/tracing.js';

/**
 * `experiments.create` against servers that misbehave on purpose (#10 items 13 and 14): each
 * outcome is bounded in time, in memory and in what is accepted.
 */

const API_KEY = 'sk-basalt-secret-hardening-42';
const created = {
  id: 'exp_1',
  name: 'Ticket Analysis',
  featureSlug: 'support-ticket',
  createdAt: '2026-11-26T10:00:00.000Z',
};
const params = { featureSlug: 'support-ticket', name: 'Ticket Analysis' };

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await resetTracing();
});

function client(url: string, timeoutMs = 2000) {
  return new Basalt({ apiKey: API_KEY, apiUrl: url, timeoutMs, logLevel: 'silent' });
}

const PENDING = Symbol('still pending');

/** How `promise` settles within `ms`: its rejection, its value, or `PENDING`. Never waits longer. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise((resolve) => {
    timer = setTimeout(() => resolve(PENDING), ms);
  });
  try {
    return await Promise.race([promise.catch((error: unknown) => error), pending]);
  } finally {
    clearTimeout(timer);
  }
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Streams `total` bytes of `fill` (64 KiB at a time, waiting for `drain`) unless the client goes
 * away first; `sent()` says how many bytes were handed to the socket.
 */
function streamBody(res: ServerResponse, total: number, fill = 'x'): { sent: () => number; closed: Promise<void> } {
  const chunk = Buffer.alloc(64 * KiB, fill);
  let sent = 0;
  const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return { sent: () => sent, closed };
}

describe('experiments.create › timeoutMs bounds the whole call', () => {
  it('times out when the body stalls after the headers', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"exp_1",'); // and nothing more: the socket stays open
    });
    const started = performance.now();
    const outcome = await settleWithin(client(server.url, 300).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltTimeoutError);
    expect(outcome).toMatchObject({ status: 0, code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(1);
  });

  it('returns the experiment when a slow body still ends within timeoutMs', async () => {
    server = await startHttpServer((_req, res) => {
      const body = JSON.stringify(created);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(body.slice(0, 10));
      setTimeout(() => res.end(body.slice(10)), 100).unref();
    });
    expect((await client(server.url, 1000).experiments.create(params)).id).toBe('exp_1');
  });

  it('counts the retries inside timeoutMs', async () => {
    // Each answer takes 250 ms and asks for a retry at once: three attempts would take 750 ms.
    server = await startHttpServer((_req, res) => {
      setTimeout(() => json(res, 503, {}, { 'retry-after': '0' }), 250).unref();
    });
    const started = performance.now();
    const outcome = await settleWithin(client(server.url, 400).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltTimeoutError);
    expect(performance.now() - started).toBeLessThan(650);
    expect(server.requests).toHaveLength(2);
  });

  it('keeps the status error when the deadline passes while its body is read', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.write('partial error body'); // never ended
    });
    const outcome = await settleWithin(client(server.url, 300).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltServerError);
    expect(outcome).toMatchObject({ status: 500 });
  });
});

describe('experiments.create › bodies read are capped', () => {
  it('keeps at most 64 KiB of a 200 MB error body and stops reading it', async () => {
    let stream: ReturnType<typeof streamBody> | undefined;
    server = await startHttpServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      stream = streamBody(res, 200 * MiB);
    });
    const outcome = await settleWithin(client(server.url, 10_000).experiments.create(params), 8000);
    expect(outcome).toBeInstanceOf(BasaltServerError);
    const body = (outcome as BasaltServerError).body;
    expect(typeof body).toBe('string');
    expect((body as string).length).toBeLessThanOrEqual(64 * KiB + 64);
    expect(body).toMatch(/^x+…\[truncated/);
    // The connection is let go: the server stops long before 200 MB (socket buffers hold a few MB).
    expect(await settleWithin(stream?.closed ?? Promise.reject(), 2000)).not.toBe(PENDING);
    expect(stream?.sent()).toBeLessThan(32 * MiB);
  });

  it('keeps a small JSON error body whole and parsed', async () => {
    server = await startHttpServer((_req, res) => json(res, 400, { error: 'bad', detail: 'y'.repeat(1000) }));
    const outcome = await settleWithin(client(server.url).experiments.create(params), 3000);
    expect(outcome).toMatchObject({ status: 400, body: { error: 'bad', detail: 'y'.repeat(1000) } });
  });

  it('scrubs an API key echoed across the 64 KiB cut', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${'x'.repeat(64 * KiB - 5)}${API_KEY}${'y'.repeat(1000)}`);
    });
    const outcome = await settleWithin(client(server.url).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltServerError);
    const body = String((outcome as BasaltServerError).body);
    expect(body).not.toContain(API_KEY.slice(0, 5));
    expect(body).toMatch(/truncated/);
  });

  it('rejects a 2xx body over 64 KiB as an invalid response without reading it all', async () => {
    let stream: ReturnType<typeof streamBody> | undefined;
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      stream = streamBody(res, 200 * MiB, ' ');
    });
    const outcome = await settleWithin(client(server.url, 10_000).experiments.create(params), 8000);
    expect(outcome).toBeInstanceOf(BasaltInvalidResponseError);
    expect((outcome as Error).message).toContain('64 KiB');
    expect(await settleWithin(stream?.closed ?? Promise.reject(), 2000)).not.toBe(PENDING);
    expect(stream?.sent()).toBeLessThan(32 * MiB);
  });
});

describe('experiments.create › names are bounded', () => {
  it('refuses a 300 MB name with a short config error before any request', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, created));
    const name = 'x'.repeat(300 * MiB);
    const outcome = await settleWithin(client(server.url).experiments.create({ ...params, name }), 3000);
    expect(outcome).toBeInstanceOf(BasaltConfigError);
    expect((outcome as Error).message).toMatch(/name .*1024/);
    expect((outcome as Error).message.length).toBeLessThan(300);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a featureSlug over 256 characters before any request', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, created));
    const outcome = await settleWithin(
      client(server.url).experiments.create({ ...params, featureSlug: 's'.repeat(257) }),
      3000,
    );
    expect(outcome).toBeInstanceOf(BasaltConfigError);
    expect((outcome as Error).message).toMatch(/featureSlug .*256/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an over-long name in local mode too', async () => {
    const basalt = new Basalt({ apiKey: '', logLevel: 'silent' });
    await expect(basalt.experiments.create({ ...params, name: 'x'.repeat(1025) })).rejects.toThrow(BasaltConfigError);
  });

  it('accepts a name of exactly 1024 characters', async () => {
    const name = 'n'.repeat(1024);
    server = await startHttpServer((_req, res, body) => json(res, 200, { ...created, name: JSON.parse(body).name }));
    expect((await client(server.url).experiments.create({ ...params, name })).name).toBe(name);
  });

  it('refuses a name that is not a string with a config error', async () => {
    const basalt = new Basalt({ apiKey: '', logLevel: 'silent' });
    await expect(basalt.experiments.create({ featureSlug: 1n, name: 'n' } as never)).rejects.toThrow(BasaltConfigError);
    await expect(
      basalt.experiments.create({ featureSlug: 'f', name: { big: 'x'.repeat(MiB) } } as never),
    ).rejects.toThrow(/name; got an object$/);
  });

  it.each([
    ['name', 'x'.repeat(5000)],
    ['featureSlug', 's'.repeat(1000)],
    ['id', 'i'.repeat(1000)],
  ])('rejects a response whose %s is over its bound as an invalid response', async (field, value) => {
    server = await startHttpServer((_req, res) => json(res, 200, { ...created, [field]: value }));
    const outcome = await settleWithin(client(server.url).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltInvalidResponseError);
    expect((outcome as Error).message).toContain(field);
  });
});

describe('experiments.create › redirects', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %i redirect of the POST', async (status) => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/monitor/experiments') {
        res.writeHead(status, { location: '/elsewhere' });
        res.end();
      } else {
        json(res, 200, created);
      }
    });
    const outcome = await settleWithin(client(server.url).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltInvalidResponseError);
    expect(outcome).toMatchObject({ status, code: 'invalid_response' });
    expect((outcome as Error).message).toMatch(
      new RegExp(`^Basalt API returned an invalid response \\(${status} redirect.*\\): POST /monitor/experiments$`),
    );
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /monitor/experiments']);
  });
});

describe('experiments.create › retries', () => {
  it.each([
    [429, BasaltRateLimitError],
    [503, BasaltServerError],
  ])('fails a %i with RateLimit-Reset but no Retry-After at once, without waiting', async (status, ErrorClass) => {
    server = await startHttpServer((_req, res) => json(res, status, { error: 'busy' }, { 'ratelimit-reset': '10' }));
    const started = performance.now();
    const outcome = await settleWithin(client(server.url, 20_000).experiments.create(params), 15_000);
    expect(outcome).toBeInstanceOf(ErrorClass);
    expect(server.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fails at once when Retry-After asks for longer than timeoutMs leaves', async () => {
    server = await startHttpServer((_req, res) => json(res, 429, { error: 'busy' }, { 'retry-after': '5' }));
    const started = performance.now();
    const outcome = await settleWithin(client(server.url, 1000).experiments.create(params), 8000);
    expect(outcome).toBeInstanceOf(BasaltRateLimitError);
    expect(server.requests).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('waits what Retry-After says, then succeeds', async () => {
    server = await startHttpServer((_req, res, _body, n) =>
      n === 1 ? json(res, 503, {}, { 'retry-after': '1' }) : json(res, 200, created),
    );
    const started = performance.now();
    expect((await client(server.url, 3000).experiments.create(params)).id).toBe('exp_1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.requests).toHaveLength(2);
  });

  it('retries at most twice', async () => {
    server = await startHttpServer((_req, res) => json(res, 429, {}, { 'retry-after': '0' }));
    const outcome = await settleWithin(client(server.url).experiments.create(params), 3000);
    expect(outcome).toBeInstanceOf(BasaltRateLimitError);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a refused connection once the back-off would pass timeoutMs', async () => {
    const port = await closedPort();
    // The first back-off is 300 ms: with 200 ms allowed there is no retry to wait for, so the refusal
    // itself is thrown at once (sleeping into the deadline would make it a timeout).
    const outcome = await settleWithin(client(`http://127.0.0.1:${port}`, 200).experiments.create(params), 3000);
    expect((outcome as Error).name).toBe('BasaltNetworkError');
  });
});
