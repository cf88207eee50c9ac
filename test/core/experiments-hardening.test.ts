import { afterEach, describe, expect, it } from 'vitest';
import { Basalt, BasaltServerError, BasaltTimeoutError } from '../../src/index.js';
import { json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
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
