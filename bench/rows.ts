import type { ExportResult } from './export.js';
import {
  fmt,
  type Measured,
  median,
  pairedOverhead,
  pairedQuartiles,
  type Row,
  signed,
  summary,
  verdict,
} from './harness.js';
import type { HeapResult } from './heap.js';
import type { QueueResult } from './queue.js';

/** #14: call-only overhead inside a root, set for Node 24 (Node 20 pays async_hooks on top). */
export const TARGET_OVERHEAD_US = 10;
export const TARGET_RATIO_VS_OTEL = 0.5;
/** #14: per streamed chunk, on Node 24. */
export const TARGET_CHUNK_US = 0.3;
/** #14: LangChain handler overhead ÷ Langfuse's. */
export const TARGET_RATIO_VS_LANGFUSE = 0.5;
/** Growth of heapUsed after GC over the whole run that still counts as flat: under 11 B per call at 100k. */
export const TARGET_HEAP_GROWTH_BYTES = 1024 * 1024;

const LABELS: Record<string, string> = {
  'empty middleware': 'wrapLanguageModel with an empty middleware (the AI SDK plumbing alone)',
  'basalt in root': 'basaltMiddleware, inside an open startObserve root',
  'basalt standalone': 'basaltMiddleware, opening the root itself',
  'ai-sdk otel': "the AI SDK's OpenTelemetry (@ai-sdk/otel)",
};

/** CPU µs per call over bare, paired by round, as the cpu column shows it. */
export function cpuOverhead(measured: Measured, name: string, base = 'bare'): string {
  return `${signed(pairedOverhead(measured.cpu, name, base))} µs`;
}

function spread(measured: Measured, name: string): string {
  return `±${fmt(summary(measured.samples, name).spread, 0)}%`;
}

function spans(measured: Measured, name: string): string {
  const perCall = measured.spansPerCall.get(name);
  return perCall === undefined ? '' : `, ${fmt(perCall, 2)} spans/call exported`;
}

/** bare, then each instrumented variant as overhead over bare, then our overhead ÷ the AI SDK's. */
export function overheadRows(label: string, measured: Measured, options: { overheadTargetUs?: number }): Row[] {
  const { samples } = measured;
  const bare = summary(samples, 'bare');
  const rows: Row[] = [
    {
      scenario: `${label}: bare`,
      value: `${fmt(bare.median)} µs/call`,
      cpu: `${fmt(summary(measured.cpu, 'bare').median)} µs`,
      detail: `${spread(measured, 'bare')} over rounds`,
      target: '',
      verdict: '',
    },
  ];
  const overhead = (name: string) => pairedOverhead(samples, name, 'bare');
  const quartiles = (name: string) =>
    pairedQuartiles(samples, name, 'bare')
      .map((q) => fmt(q))
      .join(' … ');
  for (const name of ['empty middleware', 'basalt in root', 'basalt standalone', 'ai-sdk otel']) {
    const m = summary(samples, name);
    const ours = name.startsWith('basalt') && options.overheadTargetUs !== undefined;
    rows.push({
      scenario: `${label}: ${LABELS[name]}`,
      value: `${signed(overhead(name))} µs/call`,
      cpu: cpuOverhead(measured, name),
      detail: `overhead quartiles over rounds ${quartiles(name)} µs; ${fmt(m.median)} µs/call (×${fmt(m.median / bare.median, 2)} bare)${spans(measured, name)}`,
      target: ours ? `≤ ${options.overheadTargetUs} µs (call only, Node 24)` : '',
      verdict: ours ? verdict(overhead(name) <= (options.overheadTargetUs as number)) : '',
    });
  }
  for (const name of ['basalt in root', 'basalt standalone']) {
    const ratio = overhead(name) / overhead('ai-sdk otel');
    const cpuRatio = pairedOverhead(measured.cpu, name, 'bare') / pairedOverhead(measured.cpu, 'ai-sdk otel', 'bare');
    rows.push({
      scenario: `${label}: overhead of ${LABELS[name]} ÷ @ai-sdk/otel's`,
      value: `${fmt(ratio, 2)}×`,
      cpu: `${fmt(cpuRatio, 2)}×`,
      detail: `${fmt(overhead(name))} µs vs ${fmt(overhead('ai-sdk otel'))} µs (quartiles ${quartiles(name)} vs ${quartiles('ai-sdk otel')})`,
      target: `≤ ${TARGET_RATIO_VS_OTEL}×`,
      verdict: verdict(ratio <= TARGET_RATIO_VS_OTEL),
    });
  }
  return rows;
}

/** Per streamed chunk: the streamText overhead spread over its chunks, and the doStream slope. */
export function chunkRows(
  stream: Measured,
  streamChunks: number,
  chunks: Measured,
  short: number,
  long: number,
  targetUs: number,
): Row[] {
  const s = chunks.samples;
  const series = (name: string) => s.get(name) ?? [];
  const slopes = series(`basalt ${long}`).map((wrappedLong, round) => {
    const longOverhead = wrappedLong - (series(`bare ${long}`)[round] ?? Number.NaN);
    const shortOverhead =
      (series(`basalt ${short}`)[round] ?? Number.NaN) - (series(`bare ${short}`)[round] ?? Number.NaN);
    return (longOverhead - shortOverhead) / (long - short);
  });
  const slope = median(slopes);
  const perCall = pairedOverhead(s, `basalt ${short}`, `bare ${short}`) - slope * short;
  const bareLong = summary(s, `bare ${long}`).median;
  const inRoot = pairedOverhead(stream.samples, 'basalt in root', 'bare');
  return [
    {
      scenario: `streamText, ${streamChunks} chunks: overhead inside a root ÷ ${streamChunks}`,
      value: `${fmt(inRoot / streamChunks, 2)} µs/chunk`,
      detail: 'upper bound: includes the per-call cost (span, request attributes)',
      target: '',
      verdict: '',
    },
    {
      scenario: `per streamed chunk: doStream of ${short} vs ${long} chunks, slope of the overhead`,
      value: `${fmt(slope, 3)} µs/chunk`,
      detail: `bare doStream reads ${fmt(bareLong / long, 3)} µs/chunk; per-call part (root + generation spans) ${fmt(perCall)} µs; rounds ${slopes.map((x) => fmt(x, 2)).join(', ')}`,
      target: `≤ ${targetUs} µs`,
      verdict: verdict(slope <= targetUs),
    },
  ];
}

export function langChainRows(chain: Measured & { openRuns: number }): Row[] {
  const { samples } = chain;
  const bare = summary(samples, 'bare');
  const overhead = (name: string) => pairedOverhead(samples, name, 'bare');
  const row = (name: string, label: string, extra = ''): Row => ({
    scenario: `LangChain prompt | FakeListChatModel | parser: ${label}`,
    value: `${signed(overhead(name))} µs/call`,
    cpu: cpuOverhead(chain, name),
    detail: `${fmt(summary(samples, name).median)} µs/call (×${fmt(summary(samples, name).median / bare.median, 2)} bare), ${spread(chain, name)}${spans(chain, name)}${extra}`,
    target: '',
    verdict: '',
  });
  return [
    {
      scenario: 'LangChain prompt | FakeListChatModel | parser: bare',
      value: `${fmt(bare.median)} µs/call`,
      cpu: `${fmt(summary(chain.cpu, 'bare').median)} µs`,
      detail: `${spread(chain, 'bare')} over rounds`,
      target: '',
      verdict: '',
    },
    row('basalt', 'BasaltCallbackHandler', `; ${chain.openRuns} runs left open`),
    row('langfuse', "Langfuse's CallbackHandler (@langfuse/langchain)"),
    {
      scenario: 'LangChain: overhead of BasaltCallbackHandler ÷ Langfuse handler',
      value: `${fmt(overhead('basalt') / overhead('langfuse'), 2)}×`,
      cpu: `${fmt(pairedOverhead(chain.cpu, 'basalt', 'bare') / pairedOverhead(chain.cpu, 'langfuse', 'bare'), 2)}×`,
      detail: `${fmt(overhead('basalt'))} µs vs ${fmt(overhead('langfuse'))} µs`,
      target: `≤ ${TARGET_RATIO_VS_LANGFUSE}×`,
      verdict: verdict(overhead('basalt') / overhead('langfuse') <= TARGET_RATIO_VS_LANGFUSE),
    },
  ];
}

const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 2);

export function heapRow(label: string, heap: HeapResult): Row {
  const before = heap.checkpoints[0] ?? 0;
  const after = heap.checkpoints.at(-1) ?? 0;
  const growth = after - before;
  return {
    scenario: `heapUsed after GC, ${heap.calls.toLocaleString('en-US')} × ${label}`,
    value: `${mb(before)} → ${mb(after)} MB`,
    detail: `Δ ${growth >= 0 ? '+' : ''}${fmt(growth / 1024, 0)} KB (${fmt(growth / heap.calls, 1)} B/call); every quarter: ${heap.checkpoints.map(mb).join(', ')} MB; ${heap.spansExported.toLocaleString('en-US')} spans exported, ${heap.dropped} dropped`,
    target: `flat: Δ ≤ ${TARGET_HEAP_GROWTH_BYTES / 1024 / 1024} MB`,
    verdict: verdict(growth <= TARGET_HEAP_GROWTH_BYTES),
  };
}

export function exportRow(result: ExportResult): Row {
  return {
    scenario:
      'spans/s, flush-bound: bursts of 2,000 spans, each waiting for its flush, Basalt client → OTLP/HTTP protobuf → sink in this process',
    value: `${fmt(result.spans / result.seconds, 0)} spans/s`,
    detail: `${result.spans.toLocaleString('en-US')} spans (5 per trace) in ${fmt(result.seconds, 2)} s, ${fmt(result.flushSeconds, 2)} s of it in flush(); ${result.requests} requests, ${fmt(result.bytes / result.spans, 0)} B/span; ${result.dropped} dropped, ${result.failed} failed`,
    target: '',
    verdict: '',
  };
}

export function queueRow(result: QueueResult): Row {
  const rate = result.spans / result.seconds;
  return {
    scenario: 'export queue under sustained load, exporter answering at once: spans dropped',
    value: `${result.basaltDropped.toLocaleString('en-US')} of ${result.spans.toLocaleString('en-US')}`,
    detail: `${fmt(rate, 0)} spans/s for ${fmt(result.seconds, 1)} s (bursts every 50 ms); OpenTelemetry's BatchSpanProcessor under the same load drops ${result.otelDropped.toLocaleString('en-US')}`,
    target: 'none dropped',
    verdict: verdict(result.basaltDropped === 0),
  };
}

/** The Node 20 AsyncLocalStorage cost on bare calls, paid once any context manager has been entered. */
export function contextRows(generate: Measured, stream: Measured, streamChunks: number): Row[] {
  return [
    ['generateText', generate],
    [`streamText, ${streamChunks} chunks`, stream],
  ].map(([label, measured]) => {
    const m = measured as Measured;
    const off = summary(m.samples, 'no ALS').median;
    const extra = pairedOverhead(m.samples, 'ALS entered', 'no ALS');
    return {
      scenario: `process-wide, before any span: bare ${label as string} once an AsyncLocalStorage is entered`,
      value: `${signed(extra)} µs/call`,
      detail: `${fmt(off)} → ${fmt(off + extra)} µs/call (${signed((extra / off) * 100, 0)}%), ${spread(m, 'ALS entered')}; async_hooks promise hooks on every promise (Node 20)`,
      target: '',
      verdict: '',
    };
  });
}
