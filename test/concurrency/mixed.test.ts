import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { simulateReadableStream, streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { basaltMiddleware } from '../../src/adapters/ai-sdk/index.js';
import { BasaltCallbackHandler } from '../../src/adapters/langchain/index.js';
import { type Experiment, observe, startObserve } from '../../src/index.js';
import { promptText, textStream } from '../helpers/ai-sdk-parts.js';
import { setupTracing } from '../helpers/tracing.js';

/**
 * 1,000 units of work run at once, each its own Basalt root with its own user and one of several
 * experiments of one feature. Four kinds, by `i % 4`:
 *   0. an AI SDK `streamText` outside any trace: the middleware opens the root from the call's
 *      `providerOptions.basalt` (identity, experiment id);
 *   1. a LangChain `prompt | FakeListChatModel | parser` invoke through one shared handler: the
 *      handler opens the root from the run's `metadata.basalt`;
 *   2. a `startObserve` root with nested `observe` spans and awaits in between;
 *   3. a `startObserve` root holding an `observe` span, an AI SDK stream and a LangChain invoke.
 * Every unit embeds `unit-<i>` in its names, inputs or outputs, so each exported span says which unit
 * produced it, independently of the attributes the package stamps.
 */
const UNITS = 1000;
const FEATURE = 'mixed-load';
const KINDS = 4;
/** Spans per unit kind: root + generation; root + prompt + chat + parser; root + 3 observe spans; 1 + 1 + 1 + 4. */
const SPANS_PER_KIND = [2, 4, 4, 7] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitter = (max = 3) => sleep(Math.random() * max);
const UNIT_ID = /unit-(\d+)/g;

/** One model for every AI SDK unit: it streams the prompt back in a few delayed chunks. */
function echoStreamingModel() {
  const mock = new MockLanguageModelV4({
    doStream: async (options) => {
      await jitter();
      const chunks = textStream('v4', { chunks: ['echo ', promptText(options), ' ', 'done'] });
      return { stream: simulateReadableStream({ chunks, initialDelayInMs: Math.random() * 3, chunkDelayInMs: 1 }) };
    },
  });
  return wrapLanguageModel({ model: mock, middleware: basaltMiddleware({ featureSlug: FEATURE }) });
}

interface Expected {
  user: string;
  organization: string;
  experiment: string | undefined;
}

/** A span's unit, read from its own content; `-1` when it names none, `-2` when it names several. */
function unitOf(span: ReadableSpan): number {
  const texts = [
    span.name,
    ...['basalt.span.input', 'basalt.span.output', 'gen_ai.input.messages'].map((key) => span.attributes[key]),
  ];
  const found = new Set<number>();
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const match of text.matchAll(UNIT_ID)) found.add(Number(match[1]));
  }
  if (found.size === 0) return -1;
  return found.size === 1 ? (found.values().next().value as number) : -2;
}

interface Problem {
  /** The span at fault: every span of a trace that has no single root. */
  span: ReadableSpan;
  message: string;
}

/**
 * Every problem found in the exported spans: a trace without exactly one root, a parent link
 * leaving the trace or pointing at no exported span, a span whose content belongs to another unit
 * than its root's, or whose user, experiment or feature slug is not its root unit's.
 */
function attributionProblems(spans: readonly ReadableSpan[], expected: (unit: number) => Expected): Problem[] {
  const problems: Problem[] = [];
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const traceId = span.spanContext().traceId;
    byTrace.set(traceId, [...(byTrace.get(traceId) ?? []), span]);
  }
  for (const [traceId, members] of byTrace) {
    const roots = members.filter((s) => s.attributes['basalt.root'] === true);
    if (roots.length !== 1) {
      for (const span of members) problems.push({ span, message: `trace ${traceId}: ${roots.length} roots` });
      continue;
    }
    const root = roots[0] as ReadableSpan;
    const rootUnit = unitOf(root);
    const want = expected(rootUnit);
    const ids = new Set(members.map((s) => s.spanContext().spanId));
    for (const span of members) {
      const problem = (what: string) =>
        problems.push({ span, message: `"${span.name}" under unit-${rootUnit}: ${what}` });
      const parent = span.parentSpanContext;
      if (span === root && parent) problem('the root has a parent');
      if (span !== root && (parent?.traceId !== traceId || !ids.has(parent.spanId)))
        problem('parent outside the trace');
      const unit = unitOf(span);
      if (unit !== rootUnit || unit < 0) problem(`content of unit ${unit}`);
      const got = span.attributes;
      if (got['basalt.user.id'] !== want.user) problem(`user ${String(got['basalt.user.id'])}`);
      if (got['basalt.organization.id'] !== want.organization) {
        problem(`organization ${String(got['basalt.organization.id'])}`);
      }
      if (got['basalt.experiment.id'] !== want.experiment) problem(`experiment ${String(got['basalt.experiment.id'])}`);
      if (got['basalt.span.feature_slug'] !== FEATURE)
        problem(`feature slug ${String(got['basalt.span.feature_slug'])}`);
    }
  }
  return problems;
}

/** Spans with at least one problem. */
function misattributedCount(problems: Problem[]): number {
  return new Set(problems.map((p) => p.span)).size;
}

async function runMixedLoad(units: number) {
  // The default queue bound: the in-memory exporter keeps up with the burst, so nothing is dropped.
  const t = setupTracing({ logLevel: 'warn' });
  const experiments: Experiment[] = [];
  for (const variant of ['a', 'b', 'c', 'd', 'e']) {
    experiments.push(await t.basalt.experiments.create({ featureSlug: FEATURE, name: `variant ${variant}` }));
  }
  expect(new Set(experiments.map((e) => e.id)).size).toBe(experiments.length);
  const experimentOf = (unit: number) => experiments[unit % experiments.length];
  const identityOf = (unit: number) => ({ user: { id: `user-${unit}` }, organization: { id: `org-${unit % 7}` } });
  const expected = (unit: number): Expected => ({
    user: `user-${unit}`,
    organization: `org-${unit % 7}`,
    experiment: experimentOf(unit)?.id,
  });
  const model = echoStreamingModel();
  const handler = new BasaltCallbackHandler({ featureSlug: FEATURE });
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'Answer in one line.'],
    ['human', '{question}'],
  ]);
  const parser = new StringOutputParser();
  const chainFor = (unit: number) =>
    prompt
      .pipe(new FakeListChatModel({ responses: [`answer for unit-${unit}`], sleep: Math.floor(Math.random() * 3) }))
      .pipe(parser);

  const aiStream = async (unit: number, standalone: boolean) => {
    const providerOptions = standalone
      ? { basalt: { identity: identityOf(unit), experiment: experimentOf(unit)?.id } }
      : undefined;
    const result = streamText({ model, prompt: `question of unit-${unit}`, providerOptions });
    const text = await result.text;
    expect(text).toBe(`echo question of unit-${unit} done`);
  };
  const chainInvoke = async (unit: number, standalone: boolean) => {
    const metadata = standalone
      ? { basalt: { identity: identityOf(unit), experiment: experimentOf(unit) } }
      : undefined;
    const answer = await chainFor(unit).invoke(
      { question: `question of unit-${unit}` },
      { callbacks: [handler], metadata },
    );
    expect(answer).toBe(`answer for unit-${unit}`);
  };
  const rootOptions = (unit: number) => ({
    name: `request unit-${unit}`,
    featureSlug: FEATURE,
    experiment: experimentOf(unit),
    identity: identityOf(unit),
  });
  const observeSpans = (unit: number) =>
    startObserve(rootOptions(unit), async (root) => {
      root.setInput({ request: `unit-${unit}` });
      await jitter();
      const docs = await observe(
        { name: `retrieve unit-${unit}`, kind: 'retrieval', input: `unit-${unit}` },
        async (span) => {
          await jitter();
          const ranked = await observe({ name: `rank unit-${unit}`, kind: 'function' }, async () => {
            await jitter();
            return [`doc of unit-${unit}`];
          });
          span.setOutput(ranked);
          return ranked;
        },
      );
      await jitter();
      await observe({ name: `answer unit-${unit}`, kind: 'span' }, async () => jitter());
      root.setOutput(docs);
    });
  const nested = (unit: number) =>
    startObserve(rootOptions(unit), async () => {
      await observe({ name: `plan unit-${unit}`, kind: 'span' }, () => jitter());
      await aiStream(unit, false);
      await jitter();
      await chainInvoke(unit, false);
    });

  const work = Array.from({ length: units }, async (_, unit) => {
    await jitter(10);
    switch (unit % KINDS) {
      case 0:
        return aiStream(unit, true);
      case 1:
        return chainInvoke(unit, true);
      case 2:
        return observeSpans(unit);
      default:
        return nested(unit);
    }
  });
  await Promise.all(work);
  const spans = await t.spans();
  return { spans, expected, handler, stats: t.basalt.stats() };
}

describe('concurrency › 1,000 mixed roots', () => {
  it('attributes every span of 1,000 concurrent AI SDK, LangChain and observe roots to its own root', async () => {
    const { spans, expected, handler, stats } = await runMixedLoad(UNITS);

    const problems = attributionProblems(spans, expected);
    const examples = problems.slice(0, 5).map((p) => p.message);
    expect({ misattributed: misattributedCount(problems), examples }).toEqual({ misattributed: 0, examples: [] });
    const roots = spans.filter((s) => s.attributes['basalt.root'] === true);
    expect(roots).toHaveLength(UNITS);
    expect(new Set(roots.map(unitOf)).size).toBe(UNITS);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(UNITS);
    const perKind = Array.from({ length: UNITS }, (_, unit) => SPANS_PER_KIND[unit % KINDS] as number);
    expect(spans).toHaveLength(perKind.reduce((a, b) => a + b, 0));
    expect(stats.droppedQueueFull).toBe(0);
    expect(handler.openRunCount).toBe(0);
  });

  it('counts a span carrying another root identity, or hanging under another trace, as misattributed', async () => {
    const { spans, expected } = await runMixedLoad(40);
    expect(misattributedCount(attributionProblems(spans, expected))).toBe(0);
    const generations = spans.filter((s) => s.attributes['basalt.span.kind'] === 'generation');
    const victim = generations[0] as ReadableSpan;
    const other = generations.find((s) => s.spanContext().traceId !== victim.spanContext().traceId) as ReadableSpan;
    const wrongUser: ReadableSpan = Object.assign(Object.create(victim), {
      attributes: { ...victim.attributes, 'basalt.user.id': other.attributes['basalt.user.id'] },
    });
    const wrongParent: ReadableSpan = Object.assign(Object.create(other), {
      parentSpanContext: { ...other.parentSpanContext, traceId: victim.spanContext().traceId },
    });
    const tampered = spans.map((s) => (s === victim ? wrongUser : s === other ? wrongParent : s));

    expect(misattributedCount(attributionProblems(tampered, expected))).toBe(2);
  });
});
