import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach } from 'vitest';
import { basaltGlobal, resetBasaltGlobal } from '../../src/core/tracing/global-state.js';
import type { TracingRuntime } from '../../src/core/tracing/runtime.js';
import { Basalt, type BasaltOptions } from '../../src/index.js';

export interface TestTracing {
  basalt: Basalt;
  exporter: InMemorySpanExporter;
  /** Flushes, then returns every exported span. */
  spans(): Promise<ReadableSpan[]>;
  /** The one exported span named `name` (throws if there is none or several). */
  span(name: string): Promise<ReadableSpan>;
  /** Names indented by parent, one line per span, children in start order. */
  tree(): Promise<string>;
  /** Log lines the client wrote. */
  logs: string[];
}

/**
 * A real Basalt client whose tracing exports to an in-memory exporter through the package's own
 * TracerProvider, BasaltSpanProcessor and export queue. Call in a test or `beforeEach`; the global
 * state (provider, context manager, singleton) is torn down after each test.
 */
export function setupTracing(options: BasaltOptions = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const logs: string[] = [];
  captureConsole(logs);
  const basalt = new Basalt({
    logLevel: 'debug',
    ...options,
    apiKey: options.apiKey,
    telemetry: { exporter, ...options.telemetry },
  });
  const spans = async () => {
    await basalt.flush();
    return exporter.getFinishedSpans();
  };
  return {
    basalt,
    exporter,
    logs,
    spans,
    async span(name) {
      const found = (await spans()).filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}`);
      return found[0] as ReadableSpan;
    },
    async tree() {
      return formatTree(await spans());
    },
  };
}

export function formatTree(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ordered = [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  for (const s of ordered) {
    const p = s.parentSpanContext?.spanId;
    const key = p && ids.has(p) ? p : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), s]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of byParent.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${s.name}`);
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

const restoreConsole: Array<() => void> = [];

function captureConsole(logs: string[]): void {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    };
    restoreConsole.push(() => {
      console[level] = original;
    });
  }
}

/** Shuts the process-wide tracing down and forgets it, so the next test starts clean. */
export async function resetTracing(): Promise<void> {
  const runtime = basaltGlobal().runtime as TracingRuntime | undefined;
  await runtime?.shutdown(1000);
  resetBasaltGlobal();
  trace.disable();
  context.disable();
  propagation.disable();
  for (const restore of restoreConsole.splice(0)) restore();
}

afterEach(async () => {
  await resetTracing();
});
