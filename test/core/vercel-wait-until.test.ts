import { AsyncLocalStorage } from 'node:async_hooks';
import { waitUntil as vercelWaitUntil } from '@vercel/functions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Basalt, observe, startObserve } from '../../src/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

// #12.1: inside a Vercel Functions request, a Basalt root's export is handed to the request's
// `waitUntil` without any call from the app. The request context is set up the way Vercel's runtime
// does it: a reader under `Symbol.for('@vercel/request-context')` whose `get()` returns the current
// request's `{ waitUntil }` from an AsyncLocalStorage. The real `@vercel/functions` package reads the
// same context (its `waitUntil` export), which shows the set-up is the one apps see on Vercel.

const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
type Global = typeof globalThis & { [REQUEST_CONTEXT]?: unknown };

interface FakeRequest {
  waitUntil: (promise: Promise<unknown>) => void;
  /** What was handed to `waitUntil` during this request, by anyone. */
  handed: Array<Promise<unknown>>;
}

const storage = new AsyncLocalStorage<FakeRequest>();
let receiver: OtlpReceiver | undefined;

function installRequestContext(): void {
  (globalThis as Global)[REQUEST_CONTEXT] = { get: () => storage.getStore() };
}

function newRequest(waitUntil?: FakeRequest['waitUntil']): FakeRequest {
  const request: FakeRequest = {
    handed: [],
    waitUntil: waitUntil ?? ((promise) => request.handed.push(promise)),
  };
  return request;
}

/** As Vercel does once the response is sent: keep the function alive until every handed promise settles. */
async function finish(request: FakeRequest): Promise<void> {
  await Promise.allSettled(request.handed);
}

async function client(): Promise<Basalt> {
  receiver = await startOtlpReceiver({ protocol: 'http' });
  return new Basalt({ apiKey: 'test-key-123456', logLevel: 'warn', telemetry: { endpoint: receiver.endpoint } });
}

afterEach(async () => {
  delete (globalThis as Global)[REQUEST_CONTEXT];
  vi.restoreAllMocks();
  await resetTracing();
  await receiver?.close();
  receiver = undefined;
});

describe('Vercel Functions › automatic flush through waitUntil', () => {
  it('exports a request’s spans through its waitUntil without any flush call, one flush for all its roots', async () => {
    installRequestContext();
    await client();
    const request = newRequest();
    const answer = await storage.run(request, async () => {
      // The app's own background work through the real @vercel/functions: it reads the same context.
      vercelWaitUntil(Promise.resolve('app work'));
      const first = await observeRoot('summarise', 'u-1');
      const second = await observeRoot('classify', 'u-1');
      return `${first} ${second}`;
    });
    expect(answer).toBe('summarise done classify done');
    // The app's promise and exactly one of ours, though two roots ended.
    expect(request.handed).toHaveLength(2);
    await finish(request);
    const names = (receiver as OtlpReceiver).spans.map((s) => s.name).sort();
    expect(names).toEqual(['classify', 'classify.step', 'summarise', 'summarise.step']);
  });

  it('gives each concurrent request its own single pending flush', async () => {
    installRequestContext();
    await client();
    const requests = [newRequest(), newRequest(), newRequest()];
    await Promise.all(
      requests.map((request, i) =>
        storage.run(request, async () => {
          await Promise.all([observeRoot(`a${i}`, `u-${i}`), observeRoot(`b${i}`, `u-${i}`)]);
        }),
      ),
    );
    expect(requests.map((r) => r.handed.length)).toEqual([1, 1, 1]);
    await Promise.all(requests.map(finish));
    expect((receiver as OtlpReceiver).spans).toHaveLength(12);
  });

  it('hands a new flush for a root that ends after the request’s first flush started', async () => {
    installRequestContext();
    await client();
    const request = newRequest();
    await storage.run(request, async () => {
      await observeRoot('early', 'u-1');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await observeRoot('late', 'u-1');
    });
    expect(request.handed).toHaveLength(2);
    await finish(request);
    expect((receiver as OtlpReceiver).spans.map((s) => s.name).sort()).toEqual([
      'early',
      'early.step',
      'late',
      'late.step',
    ]);
  });

  it('still exports when waitUntil throws, leaves the app’s result alone, and says so once', async () => {
    installRequestContext();
    await client();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const request = newRequest(() => {
      throw new Error('waitUntil is broken');
    });
    const answers = await storage.run(request, () =>
      Promise.all([observeRoot('one', 'u-1'), observeRoot('two', 'u-2')]),
    );
    expect(answers).toEqual(['one done', 'two done']);
    const spans = await (receiver as OtlpReceiver).waitForSpans(4, 5_000);
    expect(spans.map((s) => s.name).sort()).toEqual(['one', 'one.step', 'two', 'two.step']);
    const told = warn.mock.calls.filter(([line]) => String(line).includes('waitUntil() threw'));
    expect(told).toHaveLength(1);
  });

  it('leaves the app alone when the request-context reader throws', async () => {
    (globalThis as Global)[REQUEST_CONTEXT] = {
      get() {
        throw new Error('reader is broken');
      },
    };
    await client();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(observeRoot('solo', 'u-1')).resolves.toBe('solo done');
  });

  it('hands nothing outside a request (no store) and when no reader is installed', async () => {
    await client();
    expect(await observeRoot('no-reader', 'u-1')).toBe('no-reader done');
    installRequestContext();
    expect(await observeRoot('no-request', 'u-1')).toBe('no-request done');
    // Nothing flushed yet: the spans wait for the scheduled batch (1 s) or a flush.
    expect((receiver as OtlpReceiver).spans).toHaveLength(0);
  });
});

function observeRoot(name: string, userId: string): Promise<string> {
  return startObserve({ name, featureSlug: 'vercel-fn', identity: { user: { id: userId } } }, async () => {
    await observe({ name: `${name}.step` }, async () => undefined);
    return `${name} done`;
  });
}
