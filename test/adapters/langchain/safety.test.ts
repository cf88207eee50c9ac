import { afterEach, describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { BasaltConfigError } from '../../../src/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { kits } from './kits.js';

describe('BasaltCallbackHandler › options', () => {
  it('throws a BasaltConfigError when the feature slug is missing', () => {
    expect(() => new BasaltCallbackHandler({} as never)).toThrow(BasaltConfigError);
    expect(() => new BasaltCallbackHandler({ featureSlug: ' ' })).toThrow(/featureSlug/);
  });

  it('throws a BasaltConfigError when the sample rate is out of range', () => {
    expect(() => new BasaltCallbackHandler({ featureSlug: 'x', evaluationConfig: { sampleRate: 2 } })).toThrow(
      BasaltConfigError,
    );
  });

  it.each([
    [Number.NaN, 'NaN'],
    [0, '0'],
    [-1, '-1'],
    [1.5, '1.5'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
    ['10', '"10"'],
    [null, 'null'],
  ])('throws a BasaltConfigError naming maxOpenRuns when it is %s', (maxOpenRuns, shown) => {
    const make = () => new BasaltCallbackHandler({ featureSlug: 'x', maxOpenRuns: maxOpenRuns as number });
    expect(make).toThrow(BasaltConfigError);
    expect(make).toThrow(`BasaltCallbackHandler: maxOpenRuns must be a positive integer or Infinity; got ${shown}`);
  });

  it.each([Number.NaN, 0, -5, Number.NEGATIVE_INFINITY, '60000', null])(
    'throws a BasaltConfigError naming idleTimeoutMs when it is %s',
    (idleTimeoutMs) => {
      const make = () => new BasaltCallbackHandler({ featureSlug: 'x', idleTimeoutMs: idleTimeoutMs as number });
      expect(make).toThrow(BasaltConfigError);
      expect(make).toThrow(/idleTimeoutMs must be a positive number or Infinity/);
    },
  );

  it('takes Infinity as no bound on open runs and no idle timeout, and a fraction of a millisecond', () => {
    expect(
      () => new BasaltCallbackHandler({ featureSlug: 'x', maxOpenRuns: Number.POSITIVE_INFINITY, idleTimeoutMs: 0.5 }),
    ).not.toThrow();
    expect(
      () => new BasaltCallbackHandler({ featureSlug: 'x', idleTimeoutMs: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });
});

describe.each(kits)('BasaltCallbackHandler › never breaks the app › @langchain/core $major', (kit) => {
  let handler: BasaltCallbackHandler | undefined;

  afterEach(() => {
    expect(handler?.openRunCount).toBe(0);
    handler = undefined;
  });

  it('returns the result and logs an internal failure once when a hook fails', async () => {
    const t = setupTracing();
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    // An input whose keys cannot be listed makes the handler's chain-start hook fail.
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys for you');
        },
      },
    );
    const lambda = kit.lambda((_input: object) => 'result');

    expect(await lambda.invoke(hostile, { callbacks: [handler] })).toBe('result');
    expect(await lambda.invoke(hostile, { callbacks: [handler] })).toBe('result');

    const failures = t.logs.filter((line) => line.includes('"langchain.chain-start" failed and was skipped'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('no keys for you');
    expect(await t.spans()).toEqual([]);
  });

  it('records structure but no content when recordInputs and recordOutputs are off', async () => {
    const t = setupTracing({ telemetry: { recordInputs: false, recordOutputs: false } });
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    await kit.usageModel().invoke('secret question', { callbacks: [handler] });

    const chat = await t.span('chat');
    expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 11 });
    for (const key of ['basalt.span.input', 'basalt.span.output', 'gen_ai.input.messages', 'gen_ai.output.messages']) {
      expect(chat.attributes[key]).toBeUndefined();
    }
  });

  it('masks message content before export', async () => {
    const t = setupTracing({
      telemetry: { mask: (value) => JSON.parse(JSON.stringify(value).replaceAll('4111-1111', '[card]')) },
    });
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    await kit.chain(['ok']).invoke({ question: 'my card is 4111-1111' }, { callbacks: [handler] });

    const exported = JSON.stringify((await t.spans()).map((s) => s.attributes));
    expect(exported).not.toContain('4111-1111');
    expect(String((await t.span('chat')).attributes['gen_ai.input.messages'])).toContain('my card is [card]');
  });

  it('leaves the chain and its result untouched when tracing is disabled', async () => {
    const t = setupTracing({ telemetry: { enabled: false } });
    handler = new BasaltCallbackHandler({ featureSlug: 'support' });

    expect(await kit.chain(['fine']).invoke({ question: 'q' }, { callbacks: [handler] })).toBe('fine');
    expect(t.exporter.getFinishedSpans()).toEqual([]);
  });
});
