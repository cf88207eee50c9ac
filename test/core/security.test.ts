import { afterEach, describe, expect, it } from 'vitest';
import { Basalt, observe, startObserve } from '../../src/index.js';
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
