import { fmt, type Measured, pairedOverhead, pairedQuartiles, type Row, signed, summary, verdict } from './harness.js';
import type { BurstResult, RateResult } from './throughput.js';

/** #14: overhead with export included ÷ @ai-sdk/otel's, inside a root and as auto-root. */
export const TARGET_RATIO_WITH_EXPORT = 0.25;
/** #14: CPU to import basalt-observe ÷ CPU to import @opentelemetry/sdk-trace-base alone. */
export const TARGET_IMPORT_RATIO = 1.3;

const LABELS: Record<string, string> = {
  'basalt in root': 'basaltMiddleware, inside an open startObserve root',
  'basalt standalone': 'basaltMiddleware, opening the root itself',
  'ai-sdk otel': '@ai-sdk/otel → BatchSpanProcessor → OTLP/HTTP protobuf',
  langfuse: 'Langfuse AI SDK integration (@langfuse/vercel-ai-sdk + @langfuse/otel, OTLP/HTTP JSON)',
};

/** generateText with export in the timed region: each contestant's overhead, then the #14 ratios. */
export function withExportRows(measured: Measured): Row[] {
  const label = 'generateText with export (flush per batch timed, receiver in another process)';
  const { samples, cpu } = measured;
  const wall = (name: string) => pairedOverhead(samples, name, 'bare');
  const cpuOf = (name: string) => pairedOverhead(cpu, name, 'bare');
  const quartiles = (name: string) =>
    pairedQuartiles(samples, name, 'bare')
      .map((q) => fmt(q))
      .join(' … ');
  const spans = (name: string) => {
    const n = measured.spansPerCall.get(name);
    return n === undefined ? '' : `, ${fmt(n, 2)} spans/call exported`;
  };
  const rows: Row[] = [
    {
      scenario: `${label}: bare`,
      value: `${fmt(summary(samples, 'bare').median)} µs/call`,
      cpu: `${fmt(summary(cpu, 'bare').median)} µs`,
      detail: `±${fmt(summary(samples, 'bare').spread, 0)}% over rounds`,
      target: '',
      verdict: '',
    },
  ];
  for (const name of ['basalt in root', 'basalt standalone', 'ai-sdk otel', 'langfuse']) {
    rows.push({
      scenario: `${label}: ${LABELS[name]}`,
      value: `${signed(wall(name))} µs/call`,
      cpu: `${signed(cpuOf(name))} µs`,
      detail: `overhead quartiles over rounds ${quartiles(name)} µs${spans(name)}`,
      target: '',
      verdict: '',
    });
  }
  for (const name of ['basalt in root', 'basalt standalone']) {
    const ratio = wall(name) / wall('ai-sdk otel');
    rows.push({
      scenario: `generateText with export: overhead of ${LABELS[name]} ÷ @ai-sdk/otel's`,
      value: `${fmt(ratio, 2)}×`,
      cpu: `${fmt(cpuOf(name) / cpuOf('ai-sdk otel'), 2)}×`,
      detail: `${fmt(wall(name))} µs vs ${fmt(wall('ai-sdk otel'))} µs wall; ${fmt(cpuOf(name))} µs vs ${fmt(cpuOf('ai-sdk otel'))} µs CPU`,
      target: `≤ ${TARGET_RATIO_WITH_EXPORT}×`,
      verdict: verdict(ratio <= TARGET_RATIO_WITH_EXPORT),
    });
  }
  rows.push({
    scenario: "generateText with export: overhead of Langfuse's AI SDK integration ÷ @ai-sdk/otel's",
    value: `${fmt(wall('langfuse') / wall('ai-sdk otel'), 2)}×`,
    cpu: `${fmt(cpuOf('langfuse') / cpuOf('ai-sdk otel'), 2)}×`,
    detail: `${fmt(wall('langfuse'))} µs vs ${fmt(wall('ai-sdk otel'))} µs wall`,
    target: '',
    verdict: '',
  });
  return rows;
}

export function importRows(imports: Map<string, { ms: number; runs: number[] }>): Row[] {
  const rows: Row[] = [...imports].map(([label, { ms, runs }]) => ({
    scenario: `import cost: CPU of \`import('${label}')\` in a fresh process`,
    value: '',
    cpu: `${fmt(ms)} ms`,
    detail: `median of ${runs.length}: ${runs.map((x) => fmt(x, 0)).join(', ')} ms`,
    target: '',
    verdict: '',
  }));
  const ours = imports.get('basalt-observe')?.ms ?? Number.NaN;
  const base = imports.get('@opentelemetry/sdk-trace-base')?.ms ?? Number.NaN;
  rows.push({
    scenario: 'import cost: basalt-observe ÷ @opentelemetry/sdk-trace-base alone (CPU)',
    value: '',
    cpu: `${fmt(ours / base, 2)}×`,
    detail: `${fmt(ours)} ms vs ${fmt(base)} ms`,
    target: `≤ ${TARGET_IMPORT_RATIO}×`,
    verdict: verdict(ours / base <= TARGET_IMPORT_RATIO),
  });
  return rows;
}

export function burstRow(result: BurstResult, bounds: string): Row {
  return {
    scenario: `burst: ${result.spans.toLocaleString('en-US')} spans ended in one go → OTLP/HTTP receiver (another process), default settings: spans dropped`,
    value: `${result.dropped.toLocaleString('en-US')} dropped`,
    detail: `ended in ${fmt(result.endMs, 0)} ms, all settled ${fmt(result.deliveredMs, 0)} ms after the first, without a flush; ${result.exported.toLocaleString('en-US')} exported, ${result.failed} failed; memory bound: ${bounds}`,
    target: '0 dropped',
    verdict: verdict(result.dropped === 0 && result.failed === 0 && result.exported === result.spans),
  };
}

export function sustainedRow(results: RateResult[]): Row {
  const clean = results.filter((r) => r.dropped === 0 && r.failed === 0 && r.achieved >= r.rate * 0.95);
  const best = clean.at(-1);
  const last = results.at(-1);
  const why =
    last && last !== best
      ? last.dropped > 0 || last.failed > 0
        ? `${fmt(last.rate, 0)}/s dropped ${last.dropped.toLocaleString('en-US')} (failed ${last.failed})`
        : `at ${fmt(last.rate, 0)}/s the producer reached only ${fmt(last.achieved, 0)}/s (this machine, not the queue)`
      : 'the highest rate tried';
  return {
    scenario:
      'sustained: highest fixed producer rate with 0 drops, Basalt client → OTLP/HTTP receiver (another process)',
    value: best ? `${fmt(best.rate, 0)} spans/s` : 'none',
    cpu: best ? `${fmt(best.cpuPerSpan, 2)} µs/span` : '',
    detail: `rates ${results.map((r) => `${fmt(r.rate / 1000, 0)}k (${r.dropped} dropped)`).join(', ')}, ${fmt(results[0]?.seconds ?? 0, 1)} s each, 5-span traces; stopped: ${why}`,
    target: '',
    verdict: '',
  };
}

export function contentRow(serializations: number): Row {
  return {
    scenario: 'content written once: JSON serializations holding the prompt, per generateText that opens its root',
    value: `${serializations}`,
    detail:
      'JSON.stringify calls whose text holds the prompt; basalt.span.input is built from gen_ai.input.messages and gen_ai.system_instructions, the root reuses it',
    target: '≤ 2 (messages, system)',
    verdict: verdict(serializations <= 2),
  };
}
