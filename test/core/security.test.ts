import { afterEach, describe, expect, it } from 'vitest';
import { Basalt, BasaltConfigError, observe, startObserve } from '../../src/index.js';
import { closedPort, json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { setupTracing } from '../helpers/tracing.js';

const KEY = 'sk-basalt-do-not-leak-7f3a9c';

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every way `experiments.create` can fail, each answered by a real local server (or none). */
const failures: Array<[string, () => Promise<string>]> = [
  ...[400, 401, 403, 404, 422, 429, 500, 503].map(
    (status) =>
      [
        `HTTP ${status}`,
        async () => {
          server = await startHttpServer((req, res) => json(res, status, { echo: req.headers.authorization }));
          return server.url;
        },
      ] as [string, () => Promise<string>],
  ),
  [
    'an invalid body',
    async () => {
      server = await startHttpServer((_req, res) => json(res, 200, { id: 1 }));
      return server.url;
    },
  ],
  [
    'a timeout',
    async () => {
      server = await startHttpServer((_req, res) => setTimeout(() => json(res, 200, {}), 1000).unref());
      return server.url;
    },
  ],
  ['a refused connection', async () => `http://127.0.0.1:${await closedPort()}`],
];

describe('the API key', () => {
  it.each(failures)('never appears in the error, its JSON or the logs after %s', async (_label, start) => {
    const url = await start();
    const t = setupTracing({ apiKey: KEY, apiUrl: url, timeoutMs: 200 });
    let error: unknown;
    try {
      await t.basalt.experiments.create({ featureSlug: 'f', name: 'n' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const err = error as Error;
    // The HTTP servers above echo the authorization header into their body: it is scrubbed too.
    for (const text of [String(err), err.message, err.stack ?? '', JSON.stringify(err), t.logs.join('\n')]) {
      expect(text).not.toContain(KEY);
    }
  });

  it('never appears in an exported span or its resource', async () => {
    const t = setupTracing({ apiKey: KEY, logLevel: 'debug' });
    await startObserve({ name: 'root', featureSlug: 'f', identity: { user: { id: 'u' } } }, async () => {
      await observe({ name: 'child', kind: 'generation' }, async () => {
        throw new Error('provider failed');
      }).catch(() => undefined);
    });
    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(JSON.stringify({ a: span.attributes, r: span.resource.attributes, e: span.events })).not.toContain(KEY);
    }
    expect(t.logs.join('\n')).not.toContain(KEY);
  });

  it('is redacted from log lines that would otherwise carry it', async () => {
    const t = setupTracing({ apiKey: KEY });
    new Basalt({ apiKey: `${KEY}-other`, logLevel: 'warn' });
    expect(t.logs.join('\n')).not.toContain(KEY);
  });
});

const PASSWORD = 'pw-do-not-leak-41d8';

/** Every text a caller or a log reader can see of an error, its causes included. */
function printed(error: unknown, logs: string[]): string[] {
  const texts = [JSON.stringify(error), logs.join('\n')];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    texts.push(String(current), current.message, current.stack ?? '');
    current = current.cause;
  }
  return texts;
}

describe('credentials in a URL', () => {
  it('never appear in the error or its causes when apiUrl carries user:password@', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, {}));
    const apiUrl = server.url.replace('http://', `http://user:${PASSWORD}@`);
    const t = setupTracing({ apiKey: KEY, apiUrl, timeoutMs: 500 });
    let error: unknown;
    try {
      await t.basalt.experiments.create({ featureSlug: 'f', name: 'n' });
    } catch (e) {
      error = e;
    }
    for (const text of printed(error, t.logs)) expect(text).not.toContain(PASSWORD);
    // fetch refuses a URL with credentials, and the API authenticates with the key: a config error, no request.
    expect(error).toBeInstanceOf(BasaltConfigError);
    expect((error as Error).message).toContain('apiUrl');
    expect((error as Error).message).toContain(`http://***@${server.url.slice('http://'.length)}`);
    // The same refusal for datasets (one API client for both).
    const datasetError = await t.basalt.datasets.get('tickets').catch((e: unknown) => e);
    expect(datasetError).toBeInstanceOf(BasaltConfigError);
    expect((datasetError as Error).message).toBe((error as Error).message);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['apiUrl', 'an unsupported protocol', `ftp://user:${PASSWORD}@example.com`],
    ['apiUrl', 'no host', `http://user:${PASSWORD}@`],
    ['apiUrl', 'no scheme', `user:${PASSWORD}@example.com`],
    ['telemetry.endpoint', 'an unsupported protocol', `ftp://user:${PASSWORD}@example.com`],
    ['telemetry.endpoint', 'no host', `https://user:${PASSWORD}@`],
  ])('never appear in the config error for a bad %s with %s', (option, _label, url) => {
    const options = option === 'apiUrl' ? { apiUrl: url } : { telemetry: { endpoint: url } };
    let error: unknown;
    try {
      new Basalt({ ...options, logLevel: 'silent' });
    } catch (e) {
      error = e;
    }
    for (const text of printed(error, [])) expect(text).not.toContain(PASSWORD);
    expect(error).toBeInstanceOf(BasaltConfigError);
    expect((error as Error).message).toContain(option);
    expect((error as Error).message).toContain('***@');
  });
});
