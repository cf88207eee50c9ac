import { afterEach, describe, expect, it } from 'vitest';
import { Basalt, BasaltConfigError, startObserve } from '../../src/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing } from '../helpers/tracing.js';

// #12.1: an AWS Lambda handler wrapped by `basalt.wrapHandler` exports what the invocation recorded
// before it returns, bounded in time, and never changes what the handler returns or throws. Real
// package, real OTLP/HTTP receiver on 127.0.0.1; the export queue's own schedule (1 s) is longer
// than any of these checks waits, so spans found at the receiver were sent by the wrapper's flush.

let receiver: OtlpReceiver | undefined;

async function client(options: Parameters<typeof startOtlpReceiver>[0] = { protocol: 'http' }): Promise<Basalt> {
  receiver = await startOtlpReceiver(options);
  return new Basalt({ apiKey: 'test-key-123456', logLevel: 'silent', telemetry: { endpoint: receiver.endpoint } });
}

afterEach(async () => {
  await resetTracing();
  await receiver?.close();
  receiver = undefined;
});

interface LambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

const lambdaContext = (remainingMs = 30_000): LambdaContext => ({
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => remainingMs,
});

const invoke = (name: string) =>
  startObserve({ name, featureSlug: 'lambda' }, async (span) => {
    span.setInput(name);
    return { statusCode: 200, body: name };
  });

describe('basalt.wrapHandler', () => {
  it('flushes before the async handler returns, and returns the very value the handler returned', async () => {
    const basalt = await client();
    let returned: unknown;
    const handler = basalt.wrapHandler(async (event: { name: string }, _context: LambdaContext) => {
      returned = await invoke(event.name);
      return returned;
    });
    const result = await handler({ name: 'invocation-1' }, lambdaContext());
    expect(result).toBe(returned);
    expect((receiver as OtlpReceiver).spans.map((s) => s.name)).toEqual(['invocation-1']);
  });

  it('rethrows the same error after flushing', async () => {
    const basalt = await client();
    const failure = new Error('handler failed');
    const handler = basalt.wrapHandler(async (_event: unknown, _context: LambdaContext) => {
      await invoke('before-failure');
      throw failure;
    });
    await expect(handler({}, lambdaContext())).rejects.toBe(failure);
    expect((receiver as OtlpReceiver).spans.map((s) => s.name)).toEqual(['before-failure']);
  });

  it('calls a callback handler’s callback with the same arguments, after the flush', async () => {
    const basalt = await client();
    const body = { statusCode: 201 };
    const handler = basalt.wrapHandler(
      (_event: unknown, _context: LambdaContext, callback: (error: unknown, result?: unknown) => void) => {
        void invoke('callback-style').then(() => callback(null, body));
      },
    );
    const { args, spansAtCallback } = await new Promise<{ args: unknown[]; spansAtCallback: number }>((resolve) => {
      handler({}, lambdaContext(), (...args: unknown[]) =>
        resolve({ args, spansAtCallback: (receiver as OtlpReceiver).spans.length }),
      );
    });
    expect(args).toEqual([null, body]);
    expect(args[1]).toBe(body);
    expect(spansAtCallback).toBe(1);
  });

  it('passes a synchronous throw through unchanged', async () => {
    const basalt = await client();
    const failure = new TypeError('bad event');
    const handler = basalt.wrapHandler(() => {
      throw failure;
    });
    expect(() => handler()).toThrow(failure);
  });

  it('gives up on the flush after flushTimeoutMs when the collector hangs, and still returns the result', async () => {
    const basalt = await client({ protocol: 'http', blackHole: true });
    const handler = basalt.wrapHandler(
      async (_event: unknown, _context: LambdaContext) => invoke('hanging-collector'),
      {
        flushTimeoutMs: 200,
      },
    );
    const started = performance.now();
    await expect(handler({}, lambdaContext())).resolves.toEqual({ statusCode: 200, body: 'hanging-collector' });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('waits no longer than the invocation has left', async () => {
    const basalt = await client({ protocol: 'http', blackHole: true });
    const handler = basalt.wrapHandler(async (_event: unknown, _context: LambdaContext) => invoke('short-deadline'));
    const started = performance.now();
    await handler({}, lambdaContext(300)); // 300 ms left, less the 100 ms margin: 200 ms of flush
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('throws BasaltConfigError where the handler or an option is wrong', async () => {
    const basalt = await client();
    expect(() => basalt.wrapHandler(42 as never)).toThrow(BasaltConfigError);
    expect(() => basalt.wrapHandler(async () => 1, { flushTimeoutMs: -1 })).toThrow(/flushTimeoutMs/);
    expect(() => basalt.wrapHandler(async () => 1, { flushTimeoutMs: Number.NaN })).toThrow(BasaltConfigError);
    expect(() => basalt.wrapHandler(async () => 1, 'fast' as never)).toThrow(/wrapHandler options/);
  });
});
