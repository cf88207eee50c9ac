/**
 * A small timing harness for `npm run bench`: batches of sequential awaited calls timed with
 * `process.hrtime.bigint()`, several rounds, variants interleaved inside each round (so a slow
 * moment of the machine hits every variant of that round alike), medians over rounds.
 */

/** One way of running a scenario. */
export interface Variant {
  name: string;
  /** One call of the scenario, awaited. */
  call: () => Promise<unknown>;
  /** Runs a timed batch inside some context (an open `startObserve` root); default: as is. */
  around?: (batch: () => Promise<bigint>) => Promise<bigint>;
  /**
   * Untimed, after each batch: clear the mock's call log, and flush the variant's span pipeline so
   * that every timed batch starts with an empty export queue (no variant runs into its queue bound).
   */
  afterBatch?: () => void | Promise<void>;
  /** Flushes the variant's span pipeline and returns its exported-span counter (untimed). */
  exported?: () => Promise<number>;
  /** Inside the timed region, after the batch's calls: the export of the batch (`flush()`), awaited. */
  flush?: () => Promise<unknown>;
}

export interface Plan {
  rounds: number;
  /** Timed batches per variant and round; between batches the event loop turns (untimed). */
  batches: number;
  batchSize: number;
  /** Untimed calls per variant before the first round. */
  warmup: number;
}

/** µs per call of each variant, one entry per round. */
export type Samples = Map<string, number[]>;

export interface Measured {
  samples: Samples;
  /** CPU time of this process (user + system, all threads) in µs per call, same shape as `samples`. */
  cpu: Samples;
  /** Spans exported per timed call, by variant (absent when the variant records none). */
  spansPerCall: Map<string, number>;
}

/** Lets timers run (export queues flush, LangChain's background callbacks settle). Untimed. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A full GC, when node runs with `--expose-gc`. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU µs (user + system) spent by the batches timed so far; read by `measure`. */
let cpuSpent = 0;

async function timedBatch(variant: Variant, size: number): Promise<bigint> {
  const batch = async () => {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < size; i++) await variant.call();
    if (variant.flush) await variant.flush();
    const elapsed = process.hrtime.bigint() - start;
    const used = process.cpuUsage(cpu);
    cpuSpent += used.user + used.system;
    return elapsed;
  };
  return variant.around ? variant.around(batch) : batch();
}

/** Runs every variant `plan.rounds` times, in a rotating order, and returns µs per call per round. */
export async function measure(variants: readonly Variant[], plan: Plan): Promise<Measured> {
  for (const variant of variants) {
    for (let done = 0; done < plan.warmup; done += plan.batchSize) {
      await timedBatch(variant, Math.min(plan.batchSize, plan.warmup - done));
      await variant.afterBatch?.();
      await tick();
    }
  }
  const samples: Samples = new Map(variants.map((v) => [v.name, []]));
  const cpu: Samples = new Map(variants.map((v) => [v.name, []]));
  const spansPerCall = new Map<string, number>();
  for (let round = 0; round < plan.rounds; round++) {
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(round + k) % variants.length] as Variant;
      // No forced GC here: a full gc() before a round leaves V8 out of its steady state (the next
      // rounds ran 1.5–2× slower in every variant), and a real app never runs one.
      const exportedBefore = await variant.exported?.();
      let elapsed = 0n;
      const cpuBefore = cpuSpent;
      for (let b = 0; b < plan.batches; b++) {
        elapsed += await timedBatch(variant, plan.batchSize);
        await variant.afterBatch?.();
        await tick();
      }
      const calls = plan.batches * plan.batchSize;
      samples.get(variant.name)?.push(Number(elapsed) / 1000 / calls);
      cpu.get(variant.name)?.push((cpuSpent - cpuBefore) / calls);
      if (variant.exported && exportedBefore !== undefined) {
        const perCall = ((await variant.exported()) - exportedBefore) / calls / plan.rounds;
        spansPerCall.set(variant.name, (spansPerCall.get(variant.name) ?? 0) + perCall);
      }
    }
  }
  return { samples, cpu, spansPerCall };
}

/** Median over rounds of `a - b`, paired by round (both ran in the same round, back to back). */
export function pairedOverhead(samples: Samples, a: string, b: string): number {
  const xs = samples.get(a) ?? [];
  const ys = samples.get(b) ?? [];
  return median(xs.map((x, i) => x - (ys[i] ?? Number.NaN)));
}

/** Quartiles (25th, 75th percentile) over rounds of `a - b`, paired by round: how sure the median is. */
export function pairedQuartiles(samples: Samples, a: string, b: string): [number, number] {
  const xs = samples.get(a) ?? [];
  const ys = samples.get(b) ?? [];
  const diffs = xs.map((x, i) => x - (ys[i] ?? Number.NaN)).sort((p, q) => p - q);
  const at = (q: number) =>
    diffs[Math.min(diffs.length - 1, Math.max(0, Math.round(q * (diffs.length - 1))))] ?? Number.NaN;
  return [at(0.25), at(0.75)];
}

/** Median µs per call of a variant, and the spread of its rounds as ± half the min–max range in %. */
export function summary(samples: Samples, name: string): { median: number; spread: number } {
  const xs = samples.get(name) ?? [];
  const m = median(xs);
  return { median: m, spread: ((Math.max(...xs) - Math.min(...xs)) / 2 / m) * 100 };
}

/** One line of the printed table. */
export interface Row {
  scenario: string;
  value: string;
  /** CPU time of the same figure, where it was measured (this process: user + system). */
  cpu?: string;
  detail: string;
  target: string;
  verdict: 'PASS' | 'MISS' | '';
}

export function verdict(ok: boolean): 'PASS' | 'MISS' {
  return ok ? 'PASS' : 'MISS';
}

/** `+1.5` / `-0.3`: an overhead, which noise can make negative. */
export const signed = (n: number, digits = 1): string => `${n >= 0 ? '+' : ''}${fmt(n, digits)}`;

export const fmt = (n: number, digits = 1): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

/** The rows as a Markdown table, so a run can be pasted into docs/benchmarks.md as is. */
export function formatTable(rows: readonly Row[]): string {
  const header: Row = {
    scenario: 'scenario',
    value: 'value (wall)',
    cpu: 'CPU',
    detail: 'detail',
    target: 'target',
    verdict: '',
  };
  const escapePipes = (cell: string) => cell.replaceAll('|', '\\|');
  const cells = (r: Row) =>
    [r.scenario, r.value, r.cpu ?? '', r.detail, r.target, r.verdict || (r === header ? 'result' : '')].map(
      escapePipes,
    );
  const all = [header, ...rows].map(cells);
  const widths = all[0]?.map((_, col) => Math.max(...all.map((line) => (line[col] ?? '').length))) ?? [];
  const line = (parts: string[]) => `| ${parts.map((p, col) => p.padEnd(widths[col] ?? 0)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
