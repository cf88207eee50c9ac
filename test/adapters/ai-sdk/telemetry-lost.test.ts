import { OpenTelemetry } from '@ai-sdk/otel';
import { registerTelemetry } from 'ai';
import * as api18 from 'otel-api-18';
import { afterEach, describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../../src/adapters/ai-sdk/index.js';
import { startObserve } from '../../../src/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { MAJORS, type Major } from './majors.js';

// #12.3: ai 7's telemetry integration made with another copy of @opentelemetry/api (as `@ai-sdk/otel`
// gets when npm installs it its own pinned version) before Basalt registered the provider: every AI
// SDK span is lost, silently. The second copy here is the devDependency `otel-api-18`
// (`@opentelemetry/api@1.8.0`); `@ai-sdk/otel` takes its tracer from it as it would from its own.

const ai7 = MAJORS[2] as Major;
const registry = globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown };
afterEach(() => {
  registry.AI_SDK_TELEMETRY_INTEGRATIONS = undefined;
});

const told = (logs: string[]) => logs.filter((line) => line.includes(' Fix: '));
const codes = (findings: ReadonlyArray<{ code: string }>) => findings.map((f) => f.code);

async function call(): Promise<void> {
  await startObserve({ name: 'turn', featureSlug: 'support' }, () =>
    ai7.generate(basaltMiddleware({ featureSlug: 'support' }), [{ text: 'Sunny' }], { telemetry: true }),
  );
}

describe('basalt.diagnose() › ai 7 telemetry cut off from the provider', () => {
  it('finds an integration whose tracer came from another API copy before Basalt started: its spans are lost', async () => {
    registerTelemetry(new OpenTelemetry({ tracer: api18.trace.getTracer('gen_ai') as never }));
    const t = setupTracing();
    await call();

    // What the finding is about, for real: Basalt's spans arrive, none of the AI SDK's.
    expect((await t.spans()).map((s) => s.name).sort()).toEqual(['chat mock-model-id', 'turn']);
    const report = t.basalt.diagnose();
    expect(codes(report.findings)).toEqual(['ai-sdk-telemetry-lost']);
    expect(report.findings[0]?.severity).toBe('warning');
    expect(told(t.logs)).toHaveLength(1);
    expect(told(t.logs)[0]).toContain('npm install @opentelemetry/api@1.9.1');
  });

  it('finds nothing when the other copy gave its tracer after Basalt started: the spans arrive', async () => {
    const t = setupTracing();
    await startObserve({ name: 'warm', featureSlug: 'support' }, async () => undefined);
    registerTelemetry(new OpenTelemetry({ tracer: api18.trace.getTracer('gen_ai') as never }));
    await call();

    const names = (await t.spans()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['invoke_agent mock-model-id', 'step 1']));
    expect(t.basalt.diagnose().findings).toEqual([]);
  });

  it('finds nothing with one API copy, and records nothing while probing', async () => {
    registerTelemetry(new OpenTelemetry());
    const t = setupTracing();
    await call();
    for (let i = 0; i < 3; i++) expect(t.basalt.diagnose().findings).toEqual([]);

    const names = (await t.spans()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['invoke_agent mock-model-id', 'chat mock-model-id']));
    expect(names).not.toContain('basalt-observe.diagnose');
    expect(told(t.logs)).toEqual([]);
  });
});
