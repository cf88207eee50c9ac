import { ATTR } from './attributes.js';
import { type SpanRecord, STATUS_ERROR } from './span-record.js';

export interface TreeOptions {
  /** ANSI colours (errors in red, details dimmed). */
  color?: boolean;
}

const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/**
 * Renders the spans of one trace as an indented tree: name, kind, duration, model, tokens, and on the
 * root the feature slug, experiment and identity. Spans whose parent is not in the list are roots.
 */
export function formatTraceTree(spans: readonly SpanRecord[], options: TreeOptions = {}): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, SpanRecord[]>();
  for (const span of [...spans].sort((a, b) => a.startTime - b.startTime)) {
    const parent = span.parentSpanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const visit = (span: SpanRecord, prefix: string, last: boolean, top: boolean) => {
    const branch = top ? '● ' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${describe(span, paint)}`);
    const kids = children.get(span.spanId) ?? [];
    const next = top ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((kid, i) => {
      visit(kid, top ? '  ' : next, i === kids.length - 1, false);
    });
  };
  for (const root of children.get(undefined) ?? []) visit(root, '', true, true);
  return lines.join('\n');
}

/**
 * A trace as local mode prints it, live and from `basalt-observe traces`: the tree, then a line
 * with the trace id and the file it is in (none where no file is written: edge runtimes).
 */
export function formatPrintedTrace(
  spans: readonly SpanRecord[],
  file: string | undefined,
  options: TreeOptions = {},
): string {
  return `${formatTraceTree(spans, options)}\n  trace ${spans[0]?.traceId}${file === undefined ? '' : ` → ${file}`}\n`;
}

function describe(span: SpanRecord, paint: (code: string, text: string) => string): string {
  const a = span.attributes;
  const parts = [paint(BOLD, span.name), paint(DIM, String(a[ATTR.SPAN_KIND] ?? 'otel')), `${durationMs(span)} ms`];
  const model = a[ATTR.GEN_AI_RESPONSE_MODEL] ?? a[ATTR.GEN_AI_REQUEST_MODEL];
  if (model !== undefined) parts.push(`model=${model}`);
  const input = a[ATTR.GEN_AI_USAGE_INPUT_TOKENS];
  const output = a[ATTR.GEN_AI_USAGE_OUTPUT_TOKENS];
  if (input !== undefined || output !== undefined) parts.push(`tokens=${input ?? '?'}→${output ?? '?'}`);
  if (a[ATTR.GEN_AI_RESPONSE_FINISH_REASONS]) parts.push(`finish=${String(a[ATTR.GEN_AI_RESPONSE_FINISH_REASONS])}`);
  if (a[ATTR.ROOT] === true) {
    parts.push(`feature=${a[ATTR.FEATURE_SLUG]}`);
    if (a[ATTR.EXPERIMENT_ID]) parts.push(experimentText(a));
    if (a[ATTR.USER_ID]) parts.push(`user=${a[ATTR.USER_ID]}${a[ATTR.USER_NAME] ? ` (${a[ATTR.USER_NAME]})` : ''}`);
    if (a[ATTR.ORGANIZATION_ID]) {
      parts.push(`org=${a[ATTR.ORGANIZATION_ID]}${a[ATTR.ORGANIZATION_NAME] ? ` (${a[ATTR.ORGANIZATION_NAME]})` : ''}`);
    }
    parts.push(`evaluate=${a[ATTR.SHOULD_EVALUATE] === true}`);
  }
  if (a[ATTR.CANCELLED] === true) parts.push('cancelled');
  if (span.status.code === STATUS_ERROR) {
    parts.push(paint(RED, `ERROR ${a[ATTR.ERROR_TYPE] ?? ''} ${span.status.message ?? ''}`.trim()));
  }
  return parts.join('  ');
}

/**
 * `experiment=<id>` when only the id is known, `experiment=<name> (<id>)` with the name, and the
 * reason when Basalt ignores it (its feature is not the trace's): `experiment=exp-1 (ignored:
 * feature "billing")`. The `evaluate=` that follows is the trace's own flag, as sent.
 */
function experimentText(a: SpanRecord['attributes']): string {
  const id = String(a[ATTR.EXPERIMENT_ID]);
  const name = a[ATTR.EXPERIMENT_NAME];
  const feature = a[ATTR.EXPERIMENT_FEATURE_SLUG];
  const notes = name === undefined ? [] : [id];
  if (feature !== undefined && feature !== a[ATTR.FEATURE_SLUG]) notes.push(`ignored: feature "${feature}"`);
  const label = name === undefined ? id : String(name);
  return `experiment=${label}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

function durationMs(span: SpanRecord): string {
  const ms = span.durationMs;
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

/** Colour only for a terminal that wants it (`NO_COLOR`, `FORCE_COLOR` respected). */
export function terminalSupportsColor(stream?: { isTTY?: boolean }): boolean {
  // Edge runtimes have no `process` (Workers without nodejs_compat) or one without `stdout`.
  const proc = globalThis.process as
    | { env?: Record<string, string | undefined>; stdout?: { isTTY?: boolean } }
    | undefined;
  const env = proc?.env ?? {};
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return (stream ?? proc?.stdout)?.isTTY === true;
}
