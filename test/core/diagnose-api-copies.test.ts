import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import * as api18 from 'otel-api-18';
import { afterEach, describe, expect, it } from 'vitest';
import { observe, startObserve } from '../../src/index.js';
import { setupTracing } from '../helpers/tracing.js';

// #12.3: two copies of @opentelemetry/api of different versions in one process, for real: the
// devDependency `otel-api-18` is `@opentelemetry/api@1.8.0`, next to the 1.9 copy basalt-observe
// imports. The first copy to register writes its version in the API's global slot; a copy of
// another version can then neither register nor (being a newer minor) read what is registered.

const OTEL_API_SLOT = Symbol.for('opentelemetry.js.api.1');
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  // The slot keeps the version of the copy that made it: forget it, so the next test starts clean.
  delete (globalThis as Record<symbol, unknown>)[OTEL_API_SLOT];
});

const told = (logs: string[]) => logs.filter((line) => line.includes(' Fix: '));

describe('basalt.diagnose() › two copies of @opentelemetry/api', () => {
  it('finds the other copy when it registered a context manager and a provider first', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    const provider = new BasicTracerProvider();
    expect(api18.context.setGlobalContextManager(manager)).toBe(true);
    expect(api18.trace.setGlobalTracerProvider(provider)).toBe(true);
    cleanups.push(
      () => manager.disable(),
      () => provider.shutdown(),
    );

    const t = setupTracing();
    await startObserve({ name: 'root', featureSlug: 'diag' }, async () => {
      await observe({ name: 'child' }, async () => undefined);
    });
    // What the finding says: our copy sees no context, so the child never joined its root.
    expect((await t.spans()).map((s) => s.name)).toEqual(['root']);

    const report = t.basalt.diagnose();
    expect(report.findings.map((f) => f.code)).toEqual(['api-version-mismatch', 'no-context-manager']);
    expect(report.findings[0]).toMatchObject({ severity: 'error', cause: expect.stringContaining('1.8.0') });
    expect(report.findings[0]?.fix).toContain('npm ls @opentelemetry/api');
    expect(told(t.logs)).toHaveLength(2);
    expect(told(t.logs)[0]).toContain('Two copies of @opentelemetry/api');
  });

  it('finds the other copy when it only created the slot, so our registrations were refused', async () => {
    api18.diag.setLogger({ verbose() {}, debug() {}, info() {}, warn() {}, error() {} });
    cleanups.push(() => api18.diag.disable());

    const t = setupTracing();
    await startObserve({ name: 'root', featureSlug: 'diag' }, () => undefined);
    const report = t.basalt.diagnose();
    expect(report.tracing).toBe('basalt-provider');
    expect(report.findings.map((f) => f.code)).toContain('api-version-mismatch');
  });

  it('reports nothing when the other copy has the same version as ours', async () => {
    // A slot written by a 1.9 copy (ours here) is shared: both see the same globals.
    const t = setupTracing();
    await startObserve({ name: 'root', featureSlug: 'diag' }, async () => {
      await observe({ name: 'child' }, async () => undefined);
    });
    expect((await t.spans()).map((s) => s.name).sort()).toEqual(['child', 'root']);
    expect(t.basalt.diagnose().findings).toEqual([]);
  });
});
