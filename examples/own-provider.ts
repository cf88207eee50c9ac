/**
 * Bring your own provider: an app that owns its TracerProvider (here `NodeSDK`; `@vercel/otel`'s
 * `registerOTel({ spanProcessors: [new BasaltSpanProcessor()] })` is the same idea) adds Basalt in
 * one line. basalt-observe then uses that provider and never shuts it down.
 *
 *   npx tsx examples/own-provider.ts
 */
import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { Basalt, BasaltSpanProcessor, basaltResourceAttributes, createBasaltExporter, observe } from 'basalt-observe';

const sdk = new NodeSDK({
  serviceName: 'own-provider-example',
  resource: resourceFromAttributes(basaltResourceAttributes()), // basalt.sdk.type / basalt.sdk.version
  spanProcessors: [new BasaltSpanProcessor({ exporter: createBasaltExporter() })],
});
sdk.start();

const basalt = new Basalt();

await basalt.startObserve(
  { name: 'checkout', featureSlug: 'checkout', identity: { user: { id: 'u-42' } } },
  async () => {
    // A span from another library: nested under the Basalt root and stamped with its values.
    await trace.getTracer('payments-lib').startActiveSpan('charge card', async (span) => {
      span.end();
    });
    await observe({ name: 'send_receipt', kind: 'function' }, async () => 'sent');
  },
);

await basalt.flush(); // flushes Basalt's processor; the app's provider stays the app's
await sdk.shutdown(); // the app shuts its own provider down
