// Type-checked by .ci/otel-lines in the app of the 3.x line (tsc --strict, nodenext, as .mts and
// .cts), against the packed basalt-observe: its types must fit the app's own SDK types.

import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { Basalt, BasaltSpanProcessor, basaltResourceAttributes, createBasaltExporter } from 'basalt-observe';

const memory = new InMemorySpanExporter();
const processor: SpanProcessor = new BasaltSpanProcessor({ exporter: memory });
const exporter: SpanExporter = createBasaltExporter();
// The README's snippet.
new NodeSDK({
  resource: resourceFromAttributes(basaltResourceAttributes()),
  spanProcessors: [new BasaltSpanProcessor({ exporter: createBasaltExporter() })],
});
new NodeSDK({ spanProcessors: [processor, new BasaltSpanProcessor()] });
new TracerProvider({
  spanProcessors: [
    new BasaltSpanProcessor(),
    new BatchSpanProcessor({ exporter }),
    new SimpleSpanProcessor({ exporter: memory }),
  ],
});
new Basalt({ telemetry: { exporter: [memory, exporter] } });
