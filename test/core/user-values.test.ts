import { afterEach, describe, expect, it, vi } from 'vitest';
import { Basalt, BasaltConfigError, observe, startObserve } from '../../src/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { resetTracing, setupTracing } from '../helpers/tracing.js';

let receiver: OtlpReceiver | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await resetTracing();
  await receiver?.close();
  receiver = undefined;
});

const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

/** A null-prototype object, as `qs`-style query parsers build them. */
const parsed = (fields: Record<string, unknown>) => Object.assign(Object.create(null) as object, fields);

describe('a bad span name never loses the batch it travels in (#10.2)', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a Buffer', Buffer.from('tool')],
    ['a revoked Proxy', revoked()],
  ])('exports every trace when one observe() name is %s', async (_label, badName) => {
    receiver = await startOtlpReceiver({ protocol: 'http' });
    const basalt = new Basalt({
      apiKey: 'test-key-123456',
      logLevel: 'silent',
      telemetry: { endpoint: receiver.endpoint },
    });
    for (let i = 0; i < 20; i++) {
      await startObserve({ name: `request-${i}`, featureSlug: 'f' }, async () => {
        await observe({ name: badName as unknown as string, kind: 'tool' }, () => i);
        await observe({ name: 'after', attributes: { weird: revoked() as never } }, () => i);
      });
    }
    await basalt.flush();
    const spans = await receiver.waitForSpans(60, 5_000);
    expect(spans).toHaveLength(60);
    expect(spans.filter((s) => s.name === 'tool')).toHaveLength(20);
    expect(basalt.stats()).toMatchObject({ exported: 60, failedExports: 0 });
  });
});

describe('user values of a trace: coerced, or a clear error at the call, never a silent loss (#10.4)', () => {
  it('coerces numeric ids to strings and one evaluator slug to a list', async () => {
    const t = setupTracing();
    await startObserve(
      {
        name: 'root',
        featureSlug: 'f',
        identity: { user: { id: 42 as unknown as string }, organization: { id: 7n as unknown as string } },
        evaluators: 'accuracy' as unknown as string[],
      },
      () => observe({ name: 'child' }, () => 1),
    );
    const spans = await t.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes['basalt.user.id']).toBe('42');
      expect(span.attributes['basalt.organization.id']).toBe('7');
    }
    expect(spans.find((s) => s.name === 'root')?.attributes['basalt.span.evaluators']).toEqual(['accuracy']);
  });

  it.each([
    ['a null-prototype user id', { identity: { user: { id: parsed({ 0: '4' }) } } }, /identity\.user\.id/],
    ['an evaluator that is not a slug', { evaluators: [{ slug: 'x' }] }, /evaluators\[0\]/],
    ['a BigInt sample rate', { evaluationConfig: { sampleRate: 1n } }, /sampleRate/],
    ['an experiment without an id', { experiment: { name: 'x' } }, /experiment\.id/],
    ['a 50 MB user name', { identity: { user: { id: '1', name: 'n'.repeat(50 * 1024 * 1024) } } }, /longer than/],
  ])('rejects %s with a BasaltConfigError naming the field', (_label, extra, field) => {
    setupTracing();
    const call = () => startObserve({ name: 'root', featureSlug: 'f', ...(extra as object) }, () => 1);
    expect(call).toThrow(BasaltConfigError);
    expect(call).toThrow(field);
  });

  it('exports the trace whose metadata has a throwing getter, and ignores a bad id given to identify()', async () => {
    const t = setupTracing();
    const metadata = {
      ok: true,
      get secret(): string {
        throw new Error('getter exploded');
      },
    };
    await startObserve({ name: 'root', featureSlug: 'f', metadata, identity: { user: { id: 'u1' } } }, async (root) => {
      root.identify({ user: { id: parsed({ id: 'x' }) as unknown as string } });
      observe.identify({ organization: { id: revoked() as unknown as string } });
      await observe({ name: 'child' }, () => 1);
    });
    const spans = await t.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['child', 'root']);
    expect(spans.every((s) => s.attributes['basalt.user.id'] === 'u1')).toBe(true);
    expect(JSON.parse(String(spans.find((s) => s.name === 'root')?.attributes['basalt.metadata']))).toMatchObject({
      ok: true,
    });
    expect(t.logs.some((line) => line.includes('identity.user.id'))).toBe(true);
  });
});
