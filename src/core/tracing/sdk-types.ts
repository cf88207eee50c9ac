/**
 * The OpenTelemetry SDK types basalt-observe uses, written out structurally so that the package's
 * public types name no SDK package (docs/decisions.md, "One OpenTelemetry API, either SDK line").
 *
 * The SDK code we run (`BasicTracerProvider`, the OTLP exporters) is bundled into `dist/` from the 2.x
 * line; the app's own SDK may be the 2.x line (`@opentelemetry/sdk-trace-base`) or the 3.x line
 * (`@opentelemetry/sdk-trace`). Both lines declare these interfaces with the same members, so an app's
 * exporter of either line is a `SpanExporter` here, and a `BasaltSpanProcessor` is a `SpanProcessor`
 * to `NodeSDK`, `BasicTracerProvider` and `@vercel/otel` of either line. Only the members Basalt reads
 * or calls are required; `@opentelemetry/api` is the one OpenTelemetry package our types import.
 */
import type {
  Span as ApiSpan,
  Attributes,
  Context,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
} from '@opentelemetry/api';

/** `ExportResult` of `@opentelemetry/core`: `code` 0 is SUCCESS, 1 is FAILED. */
export interface ExportResult {
  code: number;
  error?: Error;
}

/** The resource of a span, as exporters read it. */
export interface SpanResource {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
}

/** The instrumentation scope (tracer name and version) that started a span. */
export interface SpanInstrumentationScope {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
}

/** An event recorded on a span. */
export interface SpanTimedEvent {
  time: HrTime;
  name: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

/** An ended span, as a `SpanProcessor.onEnd` and a `SpanExporter` receive it (both SDK lines). */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: SpanTimedEvent[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: SpanResource;
  readonly instrumentationScope: SpanInstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** A started SDK span, as `SpanProcessor.onStart` receives it. */
export type Span = ApiSpan & ReadableSpan;

/** Where ended spans go: an OTLP exporter, the local trace file, or the app's own. */
export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** The hooks a TracerProvider calls on its processors. */
export interface SpanProcessor {
  forceFlush(): Promise<void>;
  onStart(span: Span, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  shutdown(): Promise<void>;
}
