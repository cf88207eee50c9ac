import { type HrTime, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware, basaltTools } from '../../../src/adapters/ai-sdk/index.js';
import { BasaltConfigError, observe, startObserve } from '../../../src/index.js';
import { textStream, toolCallStream } from '../../helpers/ai-sdk-parts.js';
import { setupTracing } from '../../helpers/tracing.js';
import { MAJORS, type WeatherExecute } from './majors.js';

const attr = (span: ReadableSpan | undefined, key: string) => span?.attributes[key];
const byKind = (spans: ReadableSpan[], kind: string) => spans.filter((s) => attr(s, 'basalt.span.kind') === kind);
const roots = (spans: ReadableSpan[]) => spans.filter((s) => attr(s, 'basalt.root') === true);
const ns = (time: HrTime) => BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
const byStart = (a: ReadableSpan, b: ReadableSpan) => Number(ns(a.startTime) - ns(b.startTime));
// OpenTelemetry takes a span's start from Date.now() (whole milliseconds) and its end as that start plus a
// performance.now() duration, so a span that ends within the millisecond the next one starts in can seem to
// overlap it by less than 1 ms (CI saw 0.06 ms). Order is asserted to that precision.
const CLOCK_GRAIN = 1_000_000n;
const endsBefore = (a: ReadableSpan | undefined, b: ReadableSpan | undefined) =>
  expect(ns((a as ReadableSpan).endTime)).toBeLessThanOrEqual(ns((b as ReadableSpan).startTime) + CLOCK_GRAIN);

const toolCall = { toolCallId: 'call-1', toolName: 'weather', input: { city: 'Paris' } };
const generateSteps = [{ toolCalls: [toolCall] }, { text: 'It is sunny in Paris.' }];
const inRoot = <T>(fn: () => Promise<T>) => startObserve({ name: 'ask_weather', featureSlug: 'weather-bot' }, fn);

describe.each(MAJORS)('basaltTools with $name (spec $spec)', (major) => {
  const middleware = () => basaltMiddleware({ featureSlug: 'weather-bot' });
  const streamSteps = () => [
    toolCallStream(major.spec, toolCall),
    textStream(major.spec, { chunks: ['It is sunny.'] }),
  ];

  it('records a generateText tool loop as generation, tool, generation under one startObserve root', async () => {
    const t = setupTracing();
    const out = await inRoot(() => major.generate(middleware(), generateSteps, { basaltTools: true }));

    expect(out.text).toBe('It is sunny in Paris.');
    expect(out.toolOutputs).toEqual(['Sunny in Paris']);
    expect(await t.tree()).toBe(
      ['ask_weather', '  chat mock-model-id', '  execute_tool weather', '  chat mock-model-id'].join('\n'),
    );
    const spans = await t.spans();
    const [root] = roots(spans);
    const [tool] = byKind(spans, 'tool');
    const [first, second] = byKind(spans, 'generation').sort(byStart);
    expect(tool?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    expect(tool?.spanContext().traceId).toBe(root?.spanContext().traceId);
    expect(tool?.attributes).toMatchObject({
      'basalt.span.kind': 'tool',
      'basalt.trace': true,
      'basalt.span.feature_slug': 'weather-bot',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'weather',
      'gen_ai.tool.call.id': 'call-1',
      'basalt.span.input': '{"city":"Paris"}',
      'basalt.span.output': 'Sunny in Paris',
    });
    expect(tool?.status.code).toBe(SpanStatusCode.UNSET);
    // The tool runs between the two model calls, and its span says so.
    endsBefore(first, tool);
    endsBefore(tool, second);
  });

  it('records a streamText tool loop as generation, tool, generation under one startObserve root', async () => {
    const t = setupTracing();
    const out = await inRoot(() => major.stream(middleware(), streamSteps(), { basaltTools: true }));

    expect(out.text).toBe('It is sunny.');
    expect(out.toolOutputs).toEqual(['Sunny in Paris']);
    expect(await t.tree()).toBe(
      ['ask_weather', '  chat mock-model-id', '  execute_tool weather', '  chat mock-model-id'].join('\n'),
    );
    const spans = await t.spans();
    const [tool] = byKind(spans, 'tool');
    const [, second] = byKind(spans, 'generation').sort(byStart);
    expect(tool?.parentSpanContext?.spanId).toBe(roots(spans)[0]?.spanContext().spanId);
    expect(attr(tool, 'gen_ai.tool.call.id')).toBe('call-1');
    expect(attr(tool, 'basalt.span.output')).toBe('Sunny in Paris');
    endsBefore(tool, second);
  });

  it('hands the AI SDK the very object the tool returns', async () => {
    const t = setupTracing();
    const forecast = { city: 'Paris', sky: 'sunny', celsius: 24 };
    const execute: WeatherExecute = async () => forecast;
    const out = await inRoot(() => major.generate(middleware(), generateSteps, { execute, basaltTools: true }));

    expect(out.toolOutputs).toHaveLength(1);
    expect(out.toolOutputs[0]).toBe(forecast);
    const [tool] = byKind(await t.spans(), 'tool');
    expect(JSON.parse(String(attr(tool, 'basalt.span.output')))).toEqual(forecast);
  });

  it('records a thrown error as ERROR, and the AI SDK gets the same error object', async () => {
    const t = setupTracing();
    const failure = new TypeError('weather service down');
    const execute: WeatherExecute = async () => {
      throw failure;
    };
    const out = await inRoot(() => major.generate(middleware(), generateSteps, { execute, basaltTools: true }));

    expect(out.toolErrors).toHaveLength(1);
    expect(out.toolErrors[0]).toBe(failure);
    expect(out.text).toBe('It is sunny in Paris.'); // the loop goes on: the model is told of the error
    const spans = await t.spans();
    const [tool] = byKind(spans, 'tool');
    expect(tool?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attr(tool, 'error.type')).toBe('TypeError');
    const exception = tool?.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('weather service down');
    expect(roots(spans)[0]?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('passes a streaming tool through and records its last value as the output', async () => {
    const t = setupTracing();
    const progress = { status: 'looking up Paris' };
    const forecast = { city: 'Paris', sky: 'sunny' };
    const execute: WeatherExecute = async function* () {
      yield progress;
      yield forecast;
    };
    const out = await inRoot(() => major.generate(middleware(), generateSteps, { execute, basaltTools: true }));

    expect(out.toolOutputs).toHaveLength(1);
    expect(out.toolOutputs[0]).toBe(forecast);
    const [tool] = byKind(await t.spans(), 'tool');
    expect(JSON.parse(String(attr(tool, 'basalt.span.output')))).toEqual(forecast);
    expect(tool?.status.code).toBe(SpanStatusCode.UNSET);
    expect(attr(tool, 'basalt.span.cancelled')).toBeUndefined();
  });

  it('opens a root per tool execution outside any trace when given a feature slug', async () => {
    const t = setupTracing();
    const identity = { user: { id: 'user-7' } };
    const basaltTools = { featureSlug: 'weather-bot', name: 'weather_tool', identity };
    const out = await major.generate(middleware(), generateSteps, { basaltTools });

    expect(out.toolOutputs).toEqual(['Sunny in Paris']);
    // The middleware's roots end with their model call: each step and each tool is a trace of its own.
    expect(await t.tree()).toBe(
      [
        'weather-bot',
        '  chat mock-model-id',
        'weather_tool',
        '  execute_tool weather',
        'weather-bot',
        '  chat mock-model-id',
      ].join('\n'),
    );
    const spans = await t.spans();
    const [tool] = byKind(spans, 'tool');
    const toolRoot = roots(spans).find((s) => s.name === 'weather_tool');
    expect(tool?.parentSpanContext?.spanId).toBe(toolRoot?.spanContext().spanId);
    expect(attr(toolRoot, 'basalt.span.input')).toBe('{"city":"Paris"}');
    expect(attr(toolRoot, 'basalt.span.output')).toBe('Sunny in Paris');
    expect(attr(tool, 'basalt.user.id')).toBe('user-7');
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(3);
  });

  it('records nothing outside a trace without options, and says so once', async () => {
    const t = setupTracing();
    const out = await major.stream(middleware(), streamSteps(), { basaltTools: true });

    expect(out.toolOutputs).toEqual(['Sunny in Paris']);
    const spans = await t.spans();
    expect(byKind(spans, 'tool')).toHaveLength(0);
    expect(byKind(spans, 'generation')).toHaveLength(2);
    expect(
      t.logs.filter((line) => line.includes('basaltTools: tool "weather" ran outside any Basalt trace')),
    ).toHaveLength(1);
  });
});

interface AddInput {
  a: number;
  b: number;
}
const callOptions = { toolCallId: 'call-9', messages: [] };

describe('basaltTools › the wrapped tool set', () => {
  it('keeps every other property of each tool and each tool without execute as is', () => {
    setupTracing();
    class CalculatorTool {
      readonly kind = 'calculator';
      execute(input: AddInput) {
        return input.a + input.b;
      }
    }
    const add = new CalculatorTool();
    Object.defineProperty(add, 'hidden', { value: 'not enumerable', enumerable: false });
    const providerTool = { type: 'provider', id: 'openai.web_search', args: {} };
    const tools = { add, providerTool, describe: { description: 'No execute', inputSchema: { type: 'object' } } };
    const wrapped = basaltTools(tools);

    expect(wrapped).not.toBe(tools);
    expect(Object.keys(wrapped)).toEqual(['add', 'providerTool', 'describe']);
    expect(wrapped.providerTool).toBe(providerTool);
    expect(wrapped.describe).toBe(tools.describe);
    expect(wrapped.add).not.toBe(add);
    expect(wrapped.add).toBeInstanceOf(CalculatorTool);
    expect(wrapped.add.kind).toBe('calculator');
    expect((wrapped.add as unknown as { hidden: string }).hidden).toBe('not enumerable');
    expect(wrapped.add.execute({ a: 1, b: 2 })).toBe(3);
    expect(add.execute).toBe(CalculatorTool.prototype.execute); // the user's tool is not changed
  });

  it('keeps a sync execute sync: its value is returned and its throw thrown as the same objects', async () => {
    const t = setupTracing();
    const failure = new RangeError('b must be positive');
    const tools = basaltTools({
      add: {
        execute: (input: AddInput, _options?: { toolCallId: string }) => {
          if (input.b < 0) throw failure;
          return { sum: input.a + input.b };
        },
      },
    });

    await startObserve({ name: 'calc', featureSlug: 'calculator' }, async () => {
      const result = tools.add.execute({ a: 1, b: 2 }, callOptions);
      expect(result).toEqual({ sum: 3 }); // not a promise
      expect(() => tools.add.execute({ a: 1, b: -1 }, callOptions)).toThrow(failure);
    });

    const [ok, failed] = byKind(await t.spans(), 'tool').sort(byStart);
    expect(ok?.name).toBe('execute_tool add');
    expect(attr(ok, 'gen_ai.tool.call.id')).toBe('call-9');
    expect(attr(ok, 'basalt.span.output')).toBe('{"sum":3}');
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attr(failed, 'error.type')).toBe('RangeError');
  });

  it('runs execute with the tool span active, so spans it starts are its children', async () => {
    const t = setupTracing();
    const tools = basaltTools({
      lookup: {
        execute: async (input: { id: string }, _options?: { toolCallId: string }) =>
          observe({ name: 'fetch_record', kind: 'retrieval' }, async () => ({ id: input.id })),
      },
    });

    await startObserve({ name: 'lookup_flow', featureSlug: 'records' }, () => tools.lookup.execute({ id: 'r1' }));

    expect(await t.tree()).toBe(['lookup_flow', '  execute_tool lookup', '    fetch_record'].join('\n'));
  });

  it('ends a streaming tool read only partly as cancelled, and a failing one as ERROR with the same error', async () => {
    const t = setupTracing();
    const failure = new Error('feed broke');
    const tools = basaltTools({
      ticker: {
        async *execute(input: { fail: boolean }, _options?: { toolCallId: string }) {
          yield 1;
          yield 2;
          if (input.fail) throw failure;
          yield 3;
        },
      },
    });

    await startObserve({ name: 'ticks', featureSlug: 'ticker' }, async () => {
      for await (const tick of tools.ticker.execute({ fail: false }, callOptions)) {
        if (tick === 2) break;
      }
      const seen: number[] = [];
      const read = async () => {
        for await (const tick of tools.ticker.execute({ fail: true }, callOptions)) seen.push(tick);
      };
      await expect(read()).rejects.toBe(failure);
      expect(seen).toEqual([1, 2]);
    });

    const [cancelled, failed] = byKind(await t.spans(), 'tool').sort(byStart);
    expect(attr(cancelled, 'basalt.span.cancelled')).toBe(true);
    expect(attr(cancelled, 'basalt.span.output')).toBe('2');
    expect(cancelled?.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(attr(failed, 'basalt.span.output')).toBe('2');
  });

  it('records each execution once when a tool set is wrapped twice', async () => {
    const t = setupTracing();
    const tools = basaltTools(basaltTools({ echo: { execute: async (input: string) => input } }));

    await startObserve({ name: 'echo_flow', featureSlug: 'echo' }, () => tools.echo.execute('hi'));

    expect(byKind(await t.spans(), 'tool')).toHaveLength(1);
  });

  it('keeps the trace values inside a trace and puts its metadata on the tool span', async () => {
    const t = setupTracing();
    const tools = basaltTools(
      { echo: { execute: async (input: string) => input } },
      { featureSlug: 'ignored-inside', metadata: { team: 'tools' } },
    );

    await startObserve({ name: 'echo_flow', featureSlug: 'echo' }, () => tools.echo.execute('hi'));

    const [tool] = byKind(await t.spans(), 'tool');
    expect(attr(tool, 'basalt.span.feature_slug')).toBe('echo');
    expect(attr(tool, 'basalt.metadata')).toBe('{"team":"tools"}');
  });

  it('throws BasaltConfigError where it is called when options have no feature slug', () => {
    setupTracing();
    const tools = { echo: { execute: async (input: string) => input } };
    expect(() => basaltTools(tools, {} as never)).toThrow(BasaltConfigError);
    expect(() => basaltTools(tools, { featureSlug: ' ' })).toThrow(BasaltConfigError);
  });
});
