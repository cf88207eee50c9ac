/**
 * Core quick start: a root span per request with identity, child spans of each kind, the module-level
 * helpers, and an error recorded on its span while it still reaches the caller.
 *
 *   npx tsx examples/core-quickstart.ts
 */
import { Basalt, observe, startObserve } from 'basalt-observe';

const basalt = new Basalt({ telemetry: { serviceName: 'quickstart' } });

async function handleRequest(userId: string, question: string): Promise<string> {
  return startObserve(
    { name: 'answer_question', featureSlug: 'faq', identity: { user: { id: userId } }, input: question },
    async () => {
      const docs = await observe({ name: 'search_docs', kind: 'retrieval', input: question }, async () => [
        'Refunds take 5 days.',
      ]);
      observe.setMetadata({ documents: docs.length });
      const answer = await observe({ name: 'compose', kind: 'generation' }, async (span) => {
        span.setInput({ question, docs });
        const text = `According to our docs: ${docs[0]}`;
        span.setOutput(text);
        return text;
      });
      observe.setOutput(answer);
      return answer;
    },
  );
}

console.log(await handleRequest('user-1', 'How long do refunds take?'));

try {
  await startObserve({ name: 'failing_request', featureSlug: 'faq' }, async () => {
    throw new Error('upstream unavailable');
  });
} catch (error) {
  console.log('caller still sees:', (error as Error).message);
}

await basalt.shutdown();
