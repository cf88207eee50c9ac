/**
 * Serverless: one client per process (module scope), `flush()` at the end of each invocation —
 * never `shutdown()` between invocations. In Next.js: `after(() => basalt.flush())`.
 *
 *   npx tsx examples/serverless-flush.ts
 */
import { Basalt } from 'basalt-observe';

const basalt = new Basalt(); // module scope: created once per cold start

export async function handler(event: { userId: string; body: string }): Promise<{ status: number; body: string }> {
  try {
    return await basalt.startObserve(
      { name: 'lambda_invocation', featureSlug: 'summarise', identity: { user: { id: event.userId } } },
      async (span) => {
        span.setInput(event.body);
        const body = event.body.slice(0, 20);
        span.setOutput(body);
        return { status: 200, body };
      },
    );
  } finally {
    await basalt.flush(2_000); // exports what ended; resolves within 2 s even if the collector hangs
  }
}

for (const userId of ['u-1', 'u-2']) console.log(await handler({ userId, body: `Hello from ${userId}, a long text` }));
console.log('stats:', JSON.stringify(basalt.stats()));
