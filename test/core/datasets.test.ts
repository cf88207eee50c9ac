import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Basalt,
  BasaltConfigError,
  BasaltInvalidResponseError,
  BasaltNotFoundError,
  BasaltServerError,
  BasaltTimeoutError,
  BasaltUnauthorizedError,
} from '../../src/index.js';
import { json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { resetTracing } from '../helpers/tracing.js';

const API_KEY = 'sk-basalt-secret-0123456789';
const dataset = {
  slug: 'support-tickets',
  name: 'Support tickets',
  columns: ['ticket'],
  rows: [
    { values: { ticket: 'My card was charged twice' }, idealOutput: 'billing', metadata: { userId: 7 } },
    { values: { ticket: 'The app crashes' } },
  ],
};

let server: TestHttpServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  vi.restoreAllMocks();
  await resetTracing();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('datasets.get with an API key', () => {
  const client = (url: string, timeoutMs = 2000) =>
    new Basalt({ apiKey: API_KEY, apiUrl: url, timeoutMs, logLevel: 'warn', telemetry: { enabled: false } });

  it('gets the dataset by slug with the SDK headers and returns its rows', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, { dataset }));
    const got = await client(server.url).datasets.get('support-tickets');
    expect(got).toEqual(dataset);
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/datasets/support-tickets');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers['x-basalt-sdk-type']).toBe('nodejs');
  });

  it('encodes the slug in the path', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, { dataset }));
    await client(server.url).datasets.get('a b/c');
    expect(server.requests[0]?.url).toBe('/datasets/a%20b%2Fc');
  });

  it("logs the server's warning once", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    server = await startHttpServer((_req, res) => json(res, 200, { dataset, warning: 'Dataset is being rebuilt' }));
    const basalt = client(server.url);
    await basalt.datasets.get('support-tickets');
    await basalt.datasets.get('support-tickets');
    const lines = warn.mock.calls.map((call) => String(call[0])).filter((l) => l.includes('being rebuilt'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Basalt about dataset "support-tickets": Dataset is being rebuilt');
  });

  it.each([
    [401, BasaltUnauthorizedError],
    [404, BasaltNotFoundError],
    [500, BasaltServerError],
  ])('maps HTTP %i to its typed error, as experiments.create does', async (status, ErrorClass) => {
    server = await startHttpServer((_req, res) => json(res, status, { error: `echo ${API_KEY}` }));
    const error = await failure(client(server.url).datasets.get('support-tickets'));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toMatch(
      new RegExp(`^Basalt API request failed with ${status}.*: GET /datasets/support-tickets$`),
    );
    expect(JSON.stringify(error)).not.toContain(API_KEY);
    expect(String(error)).not.toContain(API_KEY);
  });

  it('rejects an answer that is not a dataset as an invalid response', async () => {
    server = await startHttpServer((_req, res) => json(res, 200, { dataset: { slug: 'x', rows: [{ nope: 1 }] } }));
    const error = await failure(client(server.url).datasets.get('x'));
    expect(error).toBeInstanceOf(BasaltInvalidResponseError);
    expect(error.message).toBe(
      'Basalt API returned an invalid response (rows[0] has no "values" object): GET /datasets/x',
    );
  });

  it('times out with a BasaltTimeoutError', async () => {
    server = await startHttpServer((_req, res) => {
      setTimeout(() => json(res, 200, { dataset }), 1500).unref();
    });
    expect(await failure(client(server.url, 200).datasets.get('x'))).toBeInstanceOf(BasaltTimeoutError);
  });

  it('refuses an empty slug at the call', async () => {
    const basalt = client('http://127.0.0.1:9');
    await expect(basalt.datasets.get('')).rejects.toThrow(BasaltConfigError);
  });
});

describe('datasets.get in local mode', () => {
  const local = () => new Basalt({ logLevel: 'silent', telemetry: { enabled: false } });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basalt-datasets-'));
  });

  it('reads <dir>/<slug>.json in the API shape', async () => {
    await writeFile(join(dir!, 'support-tickets.json'), JSON.stringify({ dataset }));
    expect(await local().datasets.get('support-tickets', { dir: dir! })).toEqual(dataset);
  });

  it('reads <dir>/<slug>.jsonl, one row a line, with columns from the values', async () => {
    const lines = dataset.rows.map((row) => JSON.stringify(row)).join('\n');
    await writeFile(join(dir!, 'tickets.jsonl'), `${lines}\n\n`);
    expect(await local().datasets.get('tickets', { dir: dir! })).toEqual({
      slug: 'tickets',
      name: 'tickets',
      columns: ['ticket'],
      rows: dataset.rows,
    });
  });

  it('reads .basalt/datasets relative to the current directory by default', async () => {
    await mkdir(join(dir!, '.basalt', 'datasets'), { recursive: true });
    await writeFile(join(dir!, '.basalt', 'datasets', 'd.json'), JSON.stringify(dataset));
    vi.spyOn(process, 'cwd').mockReturnValue(dir!);
    expect((await local().datasets.get('d')).rows).toHaveLength(2);
  });

  it('names both paths it looked at when there is no file', async () => {
    const error = await failure(local().datasets.get('missing', { dir: dir! }));
    expect(error).toBeInstanceOf(BasaltConfigError);
    expect(error.message).toBe(
      `No local dataset "missing" (local mode, no API key): looked for ${join(dir!, 'missing.json')} and ${join(dir!, 'missing.jsonl')}`,
    );
  });

  it('names the file and line of a bad row', async () => {
    await writeFile(join(dir!, 'bad.jsonl'), '{"values":{"a":1}}\n{"value":2}\n');
    await expect(local().datasets.get('bad', { dir: dir! })).rejects.toThrow(
      `${join(dir!, 'bad.jsonl')}:2: the row has no "values" object`,
    );
  });

  it('refuses a slug that would leave the folder', async () => {
    await expect(local().datasets.get('../secrets', { dir: dir! })).rejects.toThrow(BasaltConfigError);
  });
});
