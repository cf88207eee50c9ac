/**
 * The seed workflow: create an experiment, then one `startObserve` per item, each carrying the
 * experiment and the item's identity, `observe.setOutput` inside, and one `shutdown()` at the end.
 *
 *   npx tsx examples/experiment.ts                       # local mode: prints the trace trees
 *   BASALT_API_KEY=… npx tsx examples/experiment.ts      # sends to Basalt
 *   BASALT_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318/v1/traces npx tsx examples/experiment.ts
 */
import { Basalt, observe } from 'basalt-observe';

const basalt = new Basalt();

const tickets = [
  { id: 'T-1', text: 'I was charged twice', user: { id: '456', name: 'John Doe' }, org: { id: '123', name: 'ACME' } },
  { id: 'T-2', text: 'How do I export my data?', user: { id: '789', name: 'Ada' }, org: { id: '123', name: 'ACME' } },
];

const experiment = await basalt.experiments.create({ featureSlug: 'support-ticket', name: 'Ticket Analysis' });

for (const ticket of tickets) {
  await basalt.startObserve(
    {
      name: 'analyse_ticket',
      featureSlug: 'support-ticket',
      experiment,
      identity: { user: ticket.user, organization: ticket.org },
      metadata: { ticketId: ticket.id },
    },
    async (span) => {
      span.setInput(ticket.text);
      const category = await observe({ name: 'classify', kind: 'function', input: ticket.text }, async () => {
        const result = ticket.text.includes('charged') ? 'billing' : 'how-to';
        observe.setOutput(result);
        return result;
      });
      span.setOutput({ category });
    },
  );
}

await basalt.shutdown();
