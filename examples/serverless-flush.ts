/**
 * Serverless: one client per process (module scope), and each invocation's spans exported before
 * it returns — never `shutdown()` between invocations. On AWS Lambda, `basalt.wrapHandler` does it:
 * the handler's result (or error) is returned unchanged after a flush bounded by 2 s and by the
 * invocation's remaining time. On Vercel it is automatic (the request's `waitUntil`); in a
 * self-hosted Next.js route, `after(() => basalt.flush())`.
 *
 *   npx tsx examples/serverless-flush.ts
 */
import { Basalt } from 'basalt-observe';

const basalt = new Basalt(); // module scope: created once per cold start

export const handler = basalt.wrapHandler(
  async (event: { userId: string; body: string }): Promise<{ status: number; body: string }> =>
    basalt.startObserve(
      { name: 'lambda_invocation', featureSlug: 'summarise', identity: { user: { id: event.userId } } },
      async (span) => {
        span.setInput(event.body);
        const body = event.body.slice(0, 20);
        span.setOutput(body);
        return { status: 200, body };
      },
    ),
);

for (const userId of ['u-1', 'u-2']) console.log(await handler({ userId, body: `Hello from ${userId}, a long text` }));
console.log('stats:', JSON.stringify(basalt.stats()));
