import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BasaltCallbackHandler } from '../../../src/adapters/langchain/index.js';
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
});
