/**
 * Where the middleware's per-call time goes, piece by piece, through the public API of the built
 * package (docs/benchmarks.md, "MISS analysis"). Run after `npm run bench` has built it:
 *
 *   TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/breakdown.ts
 *   BASALT_RECORD_INPUTS=false BASALT_RECORD_OUTPUTS=false TSX_TSCONFIG_PATH=bench/tsconfig.json \
 *     node --import tsx bench/breakdown.ts
 *
 * Everything runs inside one open root, with AsyncLocalStorage entered, as in bench/run.ts.
 */

import { readFileSync } from 'node:fs';
import { generateText } from 'ai';
import { Basalt, observe, startObserve } from 'basalt-observe';
import { serialize } from '../src/core/tracing/serialize.js';

const SDK_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

import { basaltMiddleware } from 'basalt-observe/ai-sdk';
import { generateResult } from '../test/helpers/ai-sdk-parts.js';
import { CALL_OPTIONS, drain, FEATURE, IDENTITY, mockModels, PROMPT, SYSTEM } from './ai-sdk.js';
import { CountingExporter } from './fixtures.js';
import { median } from './harness.js';

const exporter = new CountingExporter();
const basalt = new Basalt({ logLevel: 'error', telemetry: { exporter } });

/** Median µs per call over 7 rounds; the export queue is flushed every 250 calls (untimed), so no span is dropped. */
async function time(name: string, fn: () => unknown, calls: number): Promise<void> {
  for (let i = 0; i < calls / 5; i++) await fn();
  await basalt.flush();
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    let elapsed = 0n;
    for (let done = 0; done < calls; done += 250) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < Math.min(250, calls - done); i++) await fn();
      elapsed += process.hrtime.bigint() - start;
      await basalt.flush();
    }
    rounds.push(Number(elapsed) / 1000 / calls);
  }
  console.log(`${name.padEnd(64)} ${median(rounds).toFixed(2).padStart(8)} µs`);
}

const { mock, wrapped, empty, clear } = mockModels(1000);
const middleware = basaltMiddleware({ featureSlug: FEATURE, identity: IDENTITY });
const result = generateResult('v4', { text: 'Your order ships today; you will get a tracking link by email.' });
const doGenerate = async () => result;
const messages = [
  { role: 'system', parts: [{ type: 'text', content: SYSTEM }] },
  { role: 'user', parts: [{ type: 'text', content: PROMPT }] },
];
const options = { maxBytes: 32 * 1024, info: { field: 'input' as const, spanName: 'chat gpt-4o' } };

console.log(`basalt-observe ${SDK_VERSION}; recordInputs/recordOutputs from the environment`);
await startObserve({ name: 'request', featureSlug: FEATURE, identity: IDENTITY }, async () => {
  await time('serialize(2 GenAI messages)', () => serialize(messages, options), 50_000);
  await time('JSON.stringify(the same)', () => JSON.stringify(messages), 50_000);
  await time('observe(): open + end one child span', () => observe({ name: 'step' }).end(), 50_000);
  await time(
    'observe(): open + setInput(2 messages) + end',
    () => observe({ name: 'step' }).setInput(messages).end(),
    50_000,
  );
  await time(
    'middleware.wrapGenerate, called directly (all the hook does)',
    () => middleware.wrapGenerate({ doGenerate, params: CALL_OPTIONS, model: mock }),
    20_000,
  );
  await time('model.doGenerate, bare', () => mock.doGenerate(CALL_OPTIONS), 20_000);
  await time('model.doGenerate, wrapLanguageModel + empty middleware', () => empty.doGenerate(CALL_OPTIONS), 20_000);
  await time('model.doGenerate, wrapLanguageModel + basaltMiddleware', () => wrapped.doGenerate(CALL_OPTIONS), 20_000);
  clear();
  await time('generateText, bare', () => generateText({ model: mock, system: SYSTEM, prompt: PROMPT }), 3_000);
  clear();
  await time(
    'generateText, basaltMiddleware',
    () => generateText({ model: wrapped, system: SYSTEM, prompt: PROMPT }),
    3_000,
  );
  clear();
  await time(
    'doStream of 1,000 chunks, bare (per chunk ×1000)',
    async () => drain((await mock.doStream(CALL_OPTIONS)).stream),
    100,
  );
  clear();
  await time(
    'doStream of 1,000 chunks, basaltMiddleware (per chunk ×1000)',
    async () => drain((await wrapped.doStream(CALL_OPTIONS)).stream),
    100,
  );
  clear();
});
process.exit(0);
