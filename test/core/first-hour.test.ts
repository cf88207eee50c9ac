import { afterEach, describe, expect, it, vi } from 'vitest';
import { Basalt, BasaltNetworkError, BasaltUnauthorizedError, startObserve } from '../../src/index.js';
import { json, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

let server: TestHttpServer | undefined;
let receiver: OtlpReceiver | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await resetTracing();
  await Promise.all([server?.close(), receiver?.close()]);
  server = undefined;
  receiver = undefined;
});

describe('messages of the first hour (#11.3)', () => {
  it('says to check BASALT_API_KEY on a 401', async () => {
    server = await startHttpServer((_req, res) => json(res, 401, { error: 'invalid key' }));
    const basalt = new Basalt({ apiKey: 'sk-wrong-0123456789', apiUrl: server.url, logLevel: 'silent' });
    const error = await basalt.experiments.create({ featureSlug: 'f', name: 'n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BasaltUnauthorizedError);
    expect(String(error)).toMatch(/check BASALT_API_KEY/);
  });

  it.each([9, 6000])('settles at once with the reason on a port fetch refuses (:%i)', async (port) => {
    const basalt = new Basalt({ apiKey: 'sk-test-0123456789', apiUrl: `http://127.0.0.1:${port}`, logLevel: 'silent' });
    const started = performance.now();
    const error = await basalt.experiments.create({ featureSlug: 'f', name: 'n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BasaltNetworkError);
    expect(String(error)).toMatch(/bad port/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('counts a failed export in stats() as soon as the flush that saw it returns', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    receiver = await startOtlpReceiver({ protocol: 'http', status: 400 });
    const basalt = new Basalt({ apiKey: 'sk-test-0123456789', telemetry: { endpoint: receiver.endpoint } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => 1);
    await basalt.flush();
    expect(basalt.stats()).toMatchObject({ exported: 0, failedExports: 1 });
  });

  it('names the URL (without credentials) and gives a hint when an export gets a 404', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    receiver = await startOtlpReceiver({ protocol: 'http', status: 404 });
    const endpoint = receiver.endpoint.replace('http://', 'http://user:hunter2@');
    const basalt = new Basalt({ telemetry: { endpoint } });
    await startObserve({ name: 'job', featureSlug: 'f' }, () => 1);
    await basalt.flush();
    const line = warn.mock.calls.map(([l]) => String(l)).find((l) => l.includes('HTTP 404'));
    expect(line).toContain(receiver.endpoint.replace('http://', 'http://***@'));
    expect(line).toContain('check the endpoint path');
    expect(line).not.toContain('hunter2');
  });
});
