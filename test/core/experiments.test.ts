import { afterEach, describe, expect, it } from 'vitest';
import { SDK_VERSION } from '../../src/core/constants.js';
import {
  Basalt,
  BasaltBadRequestError,
  BasaltConfigError,
  BasaltForbiddenError,
  BasaltInvalidResponseError,
  BasaltNetworkError,
  BasaltNotFoundError,
  BasaltRateLimitError,
  BasaltServerError,
  BasaltTimeoutError,
  BasaltUnauthorizedError,
  BasaltUnprocessableEntityError,
  isBasaltApiError,
} from '../../src/index.js';
import { closedPort, json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { resetTracing } from '../helpers/tracing.js';

const API_KEY = 'sk-basalt-secret-0123456789';
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

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function expectNoKey(error: Error) {
  expect(String(error)).not.toContain(API_KEY);
  expect(JSON.stringify(error)).not.toContain(API_KEY);
  expect(error.stack ?? '').not.toContain(API_KEY);
}

describe('experiments.create', () => {
  it('posts the feature slug and name with the SDK headers and returns a typed experiment', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, created));
    const exp = await client(server.url).experiments.create(params);
    expect(exp).toEqual({ ...created, createdAt: new Date(created.createdAt) });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/monitor/experiments');
    expect(JSON.parse(request?.body ?? '')).toEqual(params);
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers['content-type']).toContain('application/json');
    expect(request?.headers.accept).toBe('application/json'); // as the official SDKs send it (#16.3)
    expect(request?.headers['x-basalt-sdk-version']).toBe(SDK_VERSION);
    expect(request?.headers['x-basalt-sdk-type']).toBe('nodejs');
  });

  it('accepts a response wrapped as { experiment }', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, { experiment: created }));
    expect((await client(server.url).experiments.create(params)).id).toBe('exp_1');
  });

  it.each([
    [400, BasaltBadRequestError, 'bad_request'],
    [401, BasaltUnauthorizedError, 'unauthorized'],
    [403, BasaltForbiddenError, 'forbidden'],
    [404, BasaltNotFoundError, 'not_found'],
    [422, BasaltUnprocessableEntityError, 'unprocessable_entity'],
    [500, BasaltServerError, 'server_error'],
    [502, BasaltServerError, 'server_error'],
  ])('maps HTTP %i to its typed error without retrying', async (status, ErrorClass, code) => {
    server = await startHttpServer((_req, res) => json(res, status, { error: 'nope', echo: 'x' }));
    const error = await failure(client(server.url).experiments.create(params));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(isBasaltApiError(error)).toBe(true);
    expect(error).toMatchObject({ status, code, body: { error: 'nope', echo: 'x' } });
    expect(error.message).toMatch(
      new RegExp(`^Basalt API request failed with ${status}.*: POST /monitor/experiments$`),
    );
    expect(server.requests).toHaveLength(1);
    expectNoKey(error);
  });

  it('retries a 429 that carries Retry-After, then succeeds', async () => {
    server = await startHttpServer((_req, res, _body, n) =>
      n === 1 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '0' }) : json(res, 200, created),
    );
    expect((await client(server.url).experiments.create(params)).id).toBe('exp_1');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a 503 that carries Retry-After', async () => {
    server = await startHttpServer((_req, res, _body, n) =>
      n === 1 ? json(res, 503, {}, { 'retry-after': '0' }) : json(res, 200, created),
    );
    await client(server.url).experiments.create(params);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 429 without Retry-After', async () => {
    server = await startHttpServer((_req, res) => json(res, 429, { error: 'slow down' }));
    const error = await failure(client(server.url).experiments.create(params));
    expect(error).toBeInstanceOf(BasaltRateLimitError);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a 503 without Retry-After', async () => {
    server = await startHttpServer((_req, res) => json(res, 503, {}));
    expect(await failure(client(server.url).experiments.create(params))).toBeInstanceOf(BasaltServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a POST after a timeout', async () => {
    server = await startHttpServer((_req, res) => {
      setTimeout(() => json(res, 200, created), 1500).unref();
    });
    const error = await failure(client(server.url, 200).experiments.create(params));
    expect(error).toBeInstanceOf(BasaltTimeoutError);
    expect(error).toMatchObject({ status: 0, code: 'timeout' });
    expect(server.requests).toHaveLength(1);
    expectNoKey(error);
  });

  it('retries a refused connection, reaching a server that came up meanwhile', async () => {
    const port = await closedPort();
    const { createServer } = await import('node:http');
    let hits = 0;
    const late = createServer((_req, res) => {
      hits++;
      json(res, 200, created);
    });
    setTimeout(() => late.listen(port, '127.0.0.1'), 50);
    try {
      expect((await client(`http://127.0.0.1:${port}`).experiments.create(params)).id).toBe('exp_1');
      expect(hits).toBe(1);
    } finally {
      late.closeAllConnections();
      await new Promise((resolve) => late.close(resolve));
    }
  });

  it('retries a refused connection a bounded number of times, then throws a network error', async () => {
    const port = await closedPort();
    const error = await failure(client(`http://127.0.0.1:${port}`).experiments.create(params));
    expect(error).toBeInstanceOf(BasaltNetworkError);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeDefined();
    expectNoKey(error);
  });

  it.each([
    ['a body that is not JSON', 'not json at all'],
    ['a body without an id', JSON.stringify({ name: 'x', featureSlug: 'y', createdAt: created.createdAt })],
    ['a createdAt that is not a date', JSON.stringify({ ...created, createdAt: 'yesterday' })],
  ])('rejects %s as an invalid response', async (_label, body) => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const error = await failure(client(server.url).experiments.create(params));
    expect(error).toBeInstanceOf(BasaltInvalidResponseError);
    expectNoKey(error);
  });

  it('throws a config error naming the missing field before any request', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, created));
    const basalt = client(server.url);
    await expect(basalt.experiments.create({ featureSlug: '', name: 'x' })).rejects.toThrow(BasaltConfigError);
    await expect(basalt.experiments.create({ featureSlug: 'f' } as never)).rejects.toThrow(/name/);
    expect(server.requests).toHaveLength(0);
  });

  it('creates a local experiment without an API key and says so once at info', async () => {
    const logs: string[] = [];
    const info = console.info;
    console.info = (line: string) => logs.push(line);
    try {
      const basalt = new Basalt({ apiKey: '', logLevel: 'info' });
      const a = await basalt.experiments.create(params);
      const b = await basalt.experiments.create(params);
      expect(a.id).toMatch(/^local-/);
      expect(a.id).not.toBe(b.id);
      expect(a).toMatchObject(params);
      expect(a.createdAt).toBeInstanceOf(Date);
      expect(logs.filter((l) => l.includes('locally'))).toHaveLength(1);
    } finally {
      console.info = info;
    }
  });
});
