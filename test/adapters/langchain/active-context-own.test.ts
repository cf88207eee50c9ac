import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
import { observe } from '../../../src/index.js';
import { setupTracing } from '../../helpers/tracing.js';
import { kits } from './kits.js';

// With the TracerProvider Basalt creates itself, its context manager makes the LangChain run whose
// body executes the active context: a span any code starts there is the run's child (#12.5).
describe.each(kits)('BasaltCallbackHandler › runs as the active context ($major)', (kit) => {
  it('parents a span started in a tool body, and in a lambda body, to that run', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const inner = (name: string) => trace.getTracer('app').startSpan(name).end();
    const lookup = kit.stringTool('lookup', async (input) => {
      inner(`inside ${input}`);
      return 'found';
    });
    await lookup.invoke('tool', { callbacks: [handler] });
    await kit.lambda(async () => inner('inside lambda')).invoke('x', { callbacks: [handler], runName: 'step' });

    expect(await t.tree()).toBe(['lookup', '  lookup', '    inside tool', 'step', '  inside lambda'].join('\n'));
    expect(handler.openRunCount).toBe(0);
  });

  it("gives observe and its helpers the run's span in a tool body", async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const seen: unknown[] = [];
    const lookup = kit.stringTool('lookup', async () => {
      seen.push(observe.current()?.name, observe.current()?.kind);
      return observe({ name: 'query index', kind: 'retrieval' }, async () => 'found');
    });
    await kit
      .lambda(async (input: string) => lookup.invoke(input))
      .invoke('q', { callbacks: [handler], runName: 'agent' });

    expect(seen).toEqual(['lookup', 'tool']);
    expect(await t.tree()).toBe(['agent', '  lookup', '    query index'].join('\n'));
  });

  it('parents a span started in a streamed lambda body to that run', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const lambda = kit.lambda(async (input: string) => {
      trace.getTracer('app').startSpan('inside stream').end();
      return input;
    });
    for await (const _ of await lambda.stream('x', { callbacks: [handler], runName: 'streamed' })) {
      // consumed
    }

    expect(await t.tree()).toBe(['streamed', '  inside stream'].join('\n'));
    expect(handler.openRunCount).toBe(0);
  });

  it('leaves the caller context active in the bodies of two concurrent runs given one runId', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const lambda = kit.lambda(async (input: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      trace.getTracer('app').startSpan(`inside ${input}`).end();
      return input;
    });
    await t.basalt.startObserve({ name: 'request', featureSlug: 'support' }, () =>
      Promise.all(
        ['a', 'b'].map((input) =>
          lambda.invoke(input, { callbacks: [handler], runName: 'same-id', runId: 'one-run-id' }),
        ),
      ),
    );

    // Which of the two runs a body belongs to cannot be known: neither is made active.
    expect(await t.tree()).toBe(['request', '  same-id', '  same-id', '  inside a', '  inside b'].join('\n'));
    expect(handler.openRunCount).toBe(0);
  });
});

// LangGraph 1.x runs on @langchain/core 1.x only.
describe('BasaltCallbackHandler › runs as the active context › LangGraph', () => {
  const State = Annotation.Root({ question: Annotation<string>(), notes: Annotation<string>() });

  it('parents a span started in a node to that node, with invoke and with stream', async () => {
    const t = setupTracing();
    const handler = new BasaltCallbackHandler({ featureSlug: 'support' });
    const graph = new StateGraph(State)
      .addNode('research', async (state: typeof State.State) => {
        trace.getTracer('app').startSpan(`lookup ${state.question}`).end();
        return { notes: 'notes' };
      })
      .addEdge(START, 'research')
      .addEdge('research', END)
      .compile();

    await graph.invoke({ question: 'invoked' }, { callbacks: [handler] });
    for await (const _ of await graph.stream({ question: 'streamed' }, { callbacks: [handler] })) {
      // consumed
    }

    expect(await t.tree()).toBe(
      ['LangGraph', '  research', '    lookup invoked', 'LangGraph', '  research', '    lookup streamed'].join('\n'),
    );
    expect(handler.openRunCount).toBe(0);
  });
});
