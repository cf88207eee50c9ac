// Type-checked by .ci/otel-lines in the app of the 2.x line (tsc --strict, moduleResolution
// bundler, as in a Next.js app): the README's @vercel/otel snippet against the packed basalt-observe.
import { registerOTel } from '@vercel/otel';
import { BasaltSpanProcessor, basaltResourceAttributes } from 'basalt-observe';

registerOTel({
  serviceName: 'web',
  attributes: basaltResourceAttributes(),
  spanProcessors: [new BasaltSpanProcessor(), 'auto'],
});
