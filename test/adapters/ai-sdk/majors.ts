import * as ai7 from 'ai';
import * as ai7test from 'ai/test';
import * as ai5 from 'ai5';
import * as ai5test from 'ai5/test';
import * as ai6 from 'ai6';
import * as ai6test from 'ai6/test';
import { z } from 'zod';
import {
  type BasaltLanguageModelMiddleware,
  type BasaltToolsOptions,
  basaltTools,
} from '../../../src/adapters/ai-sdk/index.js';
import { type GenerateFixture, generateResult, type Spec } from '../../helpers/ai-sdk-parts.js';

/**
 * One driver per supported `ai` major, with the same surface, so a test body runs against ai 5
 * (spec v2), ai 6 (v3) and ai 7 (v4): real `generateText`/`streamText` over the major's own mock
 * model, wrapped by the major's own `wrapLanguageModel`.
 */
export interface Major {
  name: string;
  spec: Spec;
  /** `generateText` with one scripted result per step; `tools` adds a `weather` tool and `stopWhen: stepCountIs(3)`. */
  generate(middleware: BasaltLanguageModelMiddleware, steps: GenerateFixture[], call?: CallArgs): Promise<Outcome>;
  /** `streamText` with one scripted part list per step, fully consumed. */
  stream(middleware: BasaltLanguageModelMiddleware, steps: unknown[][], call?: CallArgs): Promise<Outcome>;
}

export interface CallArgs {
  providerOptions?: Record<string, Record<string, string | Record<string, unknown>>>;
  tools?: boolean;
  /** The `weather` tool's `execute`, instead of the default (`Sunny in ${city}`); implies `tools`. */
  execute?: WeatherExecute;
  /** Passes the tool set through `basaltTools`: `true` without options, else with these options. */
  basaltTools?: true | BasaltToolsOptions;
  /**
   * Turns the AI SDK's own telemetry on for the call: `experimental_telemetry: { isEnabled: true }`
   * on ai 5 and 6. ai 7 records through the integrations registered with `registerTelemetry`
   * (`@ai-sdk/otel`), on by default for every call once one is registered.
   */
  telemetry?: boolean;
}

/** A `weather` tool's `execute`: a value, a promise, an `AsyncIterable`, or a throw. */
export type WeatherExecute = (input: { city: string }, options: { toolCallId: string }) => unknown;

export interface Outcome {
  text: string;
  /** The call options each model call received (what the provider saw). */
  providerCalls: Array<{ providerOptions?: unknown }>;
  /** The `output` of each `tool-result` of the steps: what the AI SDK took as each tool's result. */
  toolOutputs: unknown[];
  /** The `error` of each `tool-error` of the steps: what the AI SDK took as each tool's error. */
  toolErrors: unknown[];
}

type V2Mock = NonNullable<ConstructorParameters<typeof ai5test.MockLanguageModelV2>[0]>;
type V3Mock = NonNullable<ConstructorParameters<typeof ai6test.MockLanguageModelV3>[0]>;
type V4Mock = NonNullable<ConstructorParameters<typeof ai7test.MockLanguageModelV4>[0]>;
type Options5 = Parameters<typeof ai5.generateText>[0]['providerOptions'];
type Options6 = Parameters<typeof ai6.generateText>[0]['providerOptions'];
type Options7 = Parameters<typeof ai7.generateText>[0]['providerOptions'];

const weatherInput = z.object({ city: z.string() });
const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
const prompt = 'What is the weather in Paris?';

/** `{ weather: tool }`, through `basaltTools` when the call asks for it (type-checked per major). */
function toolSetOf<T extends object>(tool: T, call: CallArgs): { weather: T } {
  const tools = { weather: tool };
  if (!call.basaltTools) return tools;
  return call.basaltTools === true ? basaltTools(tools) : basaltTools(tools, call.basaltTools);
}

function wantsTools(call: CallArgs): boolean {
  return Boolean(call.tools || call.execute || call.basaltTools);
}

/** Tool results and errors of every step, read loosely (the part types differ per major). */
function toolOutcomes(
  steps: ReadonlyArray<{ content: ReadonlyArray<unknown> }>,
): Pick<Outcome, 'toolOutputs' | 'toolErrors'> {
  const parts = steps.flatMap((step) => step.content) as Array<{ type: string; output?: unknown; error?: unknown }>;
  return {
    toolOutputs: parts.filter((p) => p.type === 'tool-result').map((p) => p.output),
    toolErrors: parts.filter((p) => p.type === 'tool-error').map((p) => p.error),
  };
}

function stepsOf<T>(items: T[]): T | T[] {
  return items.length === 1 ? (items[0] as T) : items;
}

const ai5Major: Major = {
  name: 'ai 5',
  spec: 'v2',
  async generate(middleware, steps, call = {}) {
    const mock = new ai5test.MockLanguageModelV2({
      doGenerate: stepsOf(steps.map((s) => generateResult('v2', s))) as V2Mock['doGenerate'],
    });
    const model = ai5.wrapLanguageModel({ model: mock, middleware });
    const tool = ai5.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai5.stepCountIs(3) : undefined;
    const result = await ai5.generateText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options5,
      experimental_telemetry: call.telemetry ? { isEnabled: true } : undefined,
    });
    return { text: result.text, providerCalls: mock.doGenerateCalls, ...toolOutcomes(result.steps) };
  },
  async stream(middleware, steps, call = {}) {
    const results = steps.map((parts) => ({ stream: ai5test.convertArrayToReadableStream(parts) }));
    const mock = new ai5test.MockLanguageModelV2({ doStream: stepsOf(results) as V2Mock['doStream'] });
    const model = ai5.wrapLanguageModel({ model: mock, middleware });
    const tool = ai5.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai5.stepCountIs(3) : undefined;
    const result = ai5.streamText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options5,
      experimental_telemetry: call.telemetry ? { isEnabled: true } : undefined,
    });
    return { text: await result.text, providerCalls: mock.doStreamCalls, ...toolOutcomes(await result.steps) };
  },
};

const ai6Major: Major = {
  name: 'ai 6',
  spec: 'v3',
  async generate(middleware, steps, call = {}) {
    const mock = new ai6test.MockLanguageModelV3({
      doGenerate: stepsOf(steps.map((s) => generateResult('v3', s))) as V3Mock['doGenerate'],
    });
    const model = ai6.wrapLanguageModel({ model: mock, middleware });
    const tool = ai6.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai6.stepCountIs(3) : undefined;
    const result = await ai6.generateText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options6,
      experimental_telemetry: call.telemetry ? { isEnabled: true } : undefined,
    });
    return { text: result.text, providerCalls: mock.doGenerateCalls, ...toolOutcomes(result.steps) };
  },
  async stream(middleware, steps, call = {}) {
    const results = steps.map((parts) => ({ stream: ai6test.convertArrayToReadableStream(parts) }));
    const mock = new ai6test.MockLanguageModelV3({ doStream: stepsOf(results) as V3Mock['doStream'] });
    const model = ai6.wrapLanguageModel({ model: mock, middleware });
    const tool = ai6.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai6.stepCountIs(3) : undefined;
    const result = ai6.streamText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options6,
      experimental_telemetry: call.telemetry ? { isEnabled: true } : undefined,
    });
    return { text: await result.text, providerCalls: mock.doStreamCalls, ...toolOutcomes(await result.steps) };
  },
};

const ai7Major: Major = {
  name: 'ai 7',
  spec: 'v4',
  async generate(middleware, steps, call = {}) {
    const mock = new ai7test.MockLanguageModelV4({
      doGenerate: stepsOf(steps.map((s) => generateResult('v4', s))) as V4Mock['doGenerate'],
    });
    const model = ai7.wrapLanguageModel({ model: mock, middleware });
    const tool = ai7.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai7.stepCountIs(3) : undefined;
    const result = await ai7.generateText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options7,
    });
    return { text: result.text, providerCalls: mock.doGenerateCalls, ...toolOutcomes(result.steps) };
  },
  async stream(middleware, steps, call = {}) {
    const results = steps.map((parts) => ({ stream: ai7test.convertArrayToReadableStream(parts) }));
    const mock = new ai7test.MockLanguageModelV4({ doStream: stepsOf(results) as V4Mock['doStream'] });
    const model = ai7.wrapLanguageModel({ model: mock, middleware });
    const tool = ai7.tool({ inputSchema: weatherInput, execute: call.execute ?? weather });
    const tools = wantsTools(call) ? toolSetOf(tool, call) : undefined;
    const stopWhen = wantsTools(call) ? ai7.stepCountIs(3) : undefined;
    const result = ai7.streamText({
      model,
      prompt,
      tools,
      stopWhen,
      providerOptions: call.providerOptions as Options7,
    });
    return { text: await result.text, providerCalls: mock.doStreamCalls, ...toolOutcomes(await result.steps) };
  },
};

export const MAJORS: Major[] = [ai5Major, ai6Major, ai7Major];
