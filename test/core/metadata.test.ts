import { describe, expect, it } from 'vitest';
import type { MaskInfo } from '../../src/index.js';
import { observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

// Root metadata on the wire in both official forms (#16.4, docs/wire-format.md): the JSON
// `basalt.metadata` of the Python SDK, and the JS SDK's `basalt.meta.<key>` with native types.

function flatKeys(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => key.startsWith('basalt.meta.')));
}

describe('startObserve › metadata', () => {
  it('writes the JSON and, on the root, each string, finite number and boolean under basalt.meta.<key>', async () => {
    const t = setupTracing();
    const metadata = {
      channel: 'email',
      priority: 2,
      vip: true,
      ratio: 0.5,
      tags: ['a', 'b'],
      nested: { x: 1 },
      none: null,
      missing: undefined,
      infinite: Number.POSITIVE_INFINITY,
      big: 10n,
      when: new Date(0),
    };
    await startObserve({ name: 'root', featureSlug: 'f', metadata }, () =>
      observe({ name: 'child', metadata: { step: 1 } }, () => 1),
    );
    const root = await t.span('root');
    expect(flatKeys(root.attributes)).toEqual({
      'basalt.meta.channel': 'email',
      'basalt.meta.priority': 2,
      'basalt.meta.vip': true,
      'basalt.meta.ratio': 0.5,
    });
    expect(JSON.parse(String(root.attributes['basalt.metadata']))).toMatchObject({
      channel: 'email',
      tags: ['a', 'b'],
      nested: { x: 1 },
      none: null,
    });
    const child = await t.span('child');
    expect(child.attributes['basalt.metadata']).toBe('{"step":1}');
    expect(flatKeys(child.attributes)).toEqual({});
  });

  it('adds what observe.setMetadata merges into the root later', async () => {
    const t = setupTracing();
    await startObserve({ name: 'root', featureSlug: 'f', metadata: { step: 1, channel: 'email' } }, () => {
      observe.setMetadata({ step: 2, retried: false });
    });
    const root = await t.span('root');
    expect(flatKeys(root.attributes)).toEqual({
      'basalt.meta.step': 2,
      'basalt.meta.channel': 'email',
      'basalt.meta.retried': false,
    });
    expect(root.attributes['basalt.metadata']).toBe('{"step":2,"channel":"email","retried":false}');
  });

  it('writes at most 32 flattened keys of at most 64 characters, strings cut at 1,024 with the marker', async () => {
    const t = setupTracing();
    const metadata: Record<string, unknown> = { ['k'.repeat(65)]: 'too long a key', long: 'x'.repeat(5000) };
    for (let i = 0; i < 40; i++) metadata[`key${i}`] = i;
    await startObserve({ name: 'root', featureSlug: 'f', metadata }, (span) => {
      observe.setMetadata({ later: 'past the bound' });
      span.setOutput('done');
    });
    const root = await t.span('root');
    const flat = flatKeys(root.attributes);
    expect(Object.keys(flat)).toHaveLength(32);
    expect(flat[`basalt.meta.${'k'.repeat(65)}`]).toBeUndefined();
    expect(flat['basalt.meta.later']).toBeUndefined();
    const long = String(flat['basalt.meta.long']);
    expect(long.length).toBeLessThanOrEqual(1024);
    expect(long.endsWith('…[truncated by basalt-observe]')).toBe(true);
    // The JSON keeps every key, and OpenTelemetry's 128-attribute limit still leaves room for the output.
    expect(Object.keys(JSON.parse(String(root.attributes['basalt.metadata'])))).toHaveLength(43);
    expect(root.attributes['basalt.span.output']).toBe('done');
  });

  it('runs mask once per call on the metadata and writes both forms from what it returns', async () => {
    const calls: MaskInfo[] = [];
    const t = setupTracing({
      telemetry: {
        mask: (value, info) => {
          calls.push(info);
          if (info.field !== 'metadata') return value;
          return { ...(value as object), email: '[redacted]' };
        },
      },
    });
    await startObserve(
      { name: 'root', featureSlug: 'f', metadata: { email: 'ada@example.com', plan: 'pro' } },
      () => 1,
    );
    const root = await t.span('root');
    expect(calls.filter((c) => c.field === 'metadata')).toEqual([{ field: 'metadata', spanName: 'root' }]);
    expect(flatKeys(root.attributes)).toEqual({ 'basalt.meta.email': '[redacted]', 'basalt.meta.plan': 'pro' });
    expect(root.attributes['basalt.metadata']).toBe('{"email":"[redacted]","plan":"pro"}');
    expect(JSON.stringify(root.attributes)).not.toContain('ada@example.com');
  });

  it('writes neither form of the value when mask throws, and still records the trace', async () => {
    const t = setupTracing({
      logLevel: 'silent',
      telemetry: {
        mask: (value, info) => {
          if (info.field === 'metadata') throw new Error('mask failed');
          return value;
        },
      },
    });
    const result = await startObserve(
      { name: 'root', featureSlug: 'f', metadata: { email: 'ada@example.com' } },
      () => 7,
    );
    expect(result).toBe(7);
    const root = await t.span('root');
    expect(flatKeys(root.attributes)).toEqual({});
    expect(root.attributes['basalt.metadata']).toBe('[mask threw: value withheld]');
    expect(JSON.stringify(root.attributes)).not.toContain('ada@example.com');
  });

  it('keeps metadata when recordInputs and recordOutputs are off: it is neither', async () => {
    const t = setupTracing({ telemetry: { recordInputs: false, recordOutputs: false } });
    await startObserve({ name: 'root', featureSlug: 'f', metadata: { channel: 'email' }, input: 'secret' }, () => 1);
    const root = await t.span('root');
    expect(root.attributes['basalt.span.input']).toBeUndefined();
    expect(root.attributes['basalt.meta.channel']).toBe('email');
    expect(root.attributes['basalt.metadata']).toBe('{"channel":"email"}');
  });
});
