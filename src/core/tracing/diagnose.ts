import { context, createContextKey, ROOT_CONTEXT, type Span, TraceFlags, trace } from '@opentelemetry/api';
import type { Logger } from '../logger.js';
import { integrationFindings } from './diagnose-integrations.js';
import { appSetupRefused } from './diagnose-order.js';
import type { StartedTracing } from './provider.js';
import { hasVercelRequestContext } from './wait-until.js';

/** What a finding is about; stable, for code that reads the report. */
export type DiagnosisCode =
  | 'spans-not-recording'
  | 'foreign-provider'
  | 'app-sdk-after-basalt'
  | 'api-version-mismatch'
  | 'no-context-manager'
  | 'langchain-context-manager'
  | 'ai-sdk-telemetry-lost'
  | 'span-after-shutdown'
  | 'serverless-no-flush';

/** One thing that keeps traces from reaching Basalt whole, with what to change. */
export interface DiagnosisFinding {
  code: DiagnosisCode;
  /** `error`: spans or their nesting are lost; `warning`: some are, or may be. */
  severity: 'error' | 'warning';
  /** What is wrong and what it does to the traces. */
  cause: string;
  /** What to change. */
  fix: string;
}

/** What `basalt.diagnose()` returns. */
export interface Diagnosis {
  /** No finding. */
  ok: boolean;
  /** How tracing runs: through Basalt's own provider, through the app's, not yet (no span so far), off, or shut down. */
  tracing: 'basalt-provider' | 'app-provider' | 'not-started' | 'disabled' | 'shut-down';
  /** The serverless platform the environment names (`vercel`, `aws-lambda`, …), if any. */
  platform: string | undefined;
  findings: DiagnosisFinding[];
}

/** OpenTelemetry's process-wide slot (api 1.x `global-utils.ts`): the first copy to register writes its version. */
const OTEL_API_SLOT = Symbol.for('opentelemetry.js.api.1');
const PROBE = createContextKey('basalt-observe.diagnose');

/**
 * The self-diagnosis of a runtime (#12.3): what the app did that matters (flushes, shutdown, roots),
 * `report()` on demand, and the first root's one warning per finding. Off the hot path: a root pays
 * one boolean test once the checks are done.
 */
export class Diagnostics {
  /** The serverless platform the environment names (`config.ts`). */
  platform: string | undefined;
  /** How spans leave a frozen serverless function: `flush`, `wrapHandler`, `waitUntil`. */
  flushPath: string | undefined;
  /** `registerBasalt()` ran. */
  registered = false;
  #spanAfterShutdown = false;
  #rootEnded = false;
  #firstRootChecked = false;
  #laterChecked = false;

  rootEnded(): void {
    this.#rootEnded = true;
  }

  /** A span was started after `shutdown()`: said once, and reported. */
  spanAfterShutdown(logger: Logger): void {
    this.#spanAfterShutdown = true;
    const { cause, fix } = AFTER_SHUTDOWN;
    logger.once('span-after-shutdown', 'warn', `${cause} Fix: ${fix}`);
  }

  /**
   * At a root's start: the first root logs one warning per finding; the serverless check waits for
   * a root that starts after another ended, since a flush after the first root is the fix, and the
   * app-setup-order check runs again there (an SDK started after the first root).
   */
  onRoot(
    runtime: { diagnose(root?: Span): Diagnosis; readonly tracingState: Diagnosis['tracing']; logger: Logger },
    root: Span | undefined,
    tracing: StartedTracing | undefined,
  ): void {
    if (this.#firstRootChecked && (this.#laterChecked || !this.#rootEnded)) return;
    try {
      if (!this.#firstRootChecked) {
        this.#firstRootChecked = true;
        for (const finding of runtime.diagnose(root).findings) tell(runtime.logger, finding);
        return;
      }
      this.#laterChecked = true;
      const state = runtime.tracingState;
      for (const later of [appSetupRefused(state, tracing), this.#serverlessFinding(state)]) {
        if (later) tell(runtime.logger, later);
      }
    } catch {
      // A check that fails tells nothing; the root it runs in goes on (§10).
    }
  }

  /** The report of a runtime whose tracing is `tracing` (not started yet: `undefined`); `root` is checked too. */
  report(enabled: boolean, shutdown: boolean, tracing: StartedTracing | undefined, root?: Span): Diagnosis {
    const findings: DiagnosisFinding[] = [];
    const state = tracingState(enabled, shutdown, tracing);
    try {
      this.#check(findings, state, tracing, root);
    } catch {
      // What a hostile global (a Proxy in OpenTelemetry's slot) hides is not reported; the rest is.
    }
    return { ok: findings.length === 0, tracing: state, platform: this.platform, findings };
  }

  #check(findings: DiagnosisFinding[], state: Diagnosis['tracing'], tracing?: StartedTracing, root?: Span): void {
    const started = state === 'basalt-provider' || state === 'app-provider';
    const mismatch = started && tracing?.contextManager !== false ? apiMismatch(state) : undefined;
    if (mismatch) findings.push(mismatch);
    if (root && !root.isRecording()) findings.push(notRecording());
    if (state === 'basalt-provider' && !mismatch && globalDelegate() !== tracing?.provider) {
      findings.push(FOREIGN_PROVIDER);
    }
    const refused = appSetupRefused(state, tracing);
    if (refused) findings.push(refused);
    const contextOk = started && contextWorks();
    if (started && !contextOk)
      findings.push(tracing?.contextManager === false ? NO_ASYNC_LOCAL_STORAGE : NO_CONTEXT_MANAGER);
    if (started) findings.push(...integrationFindings(contextOk));
    if (this.#spanAfterShutdown) findings.push({ code: 'span-after-shutdown', severity: 'warning', ...AFTER_SHUTDOWN });
    const serverlessFinding = this.#rootEnded ? this.#serverlessFinding(state) : undefined;
    if (serverlessFinding) findings.push(serverlessFinding);
  }

  /** On a serverless platform, with Basalt's own pipeline (the app flushes its own), nothing flushing. */
  #serverlessFinding(state: Diagnosis['tracing']): DiagnosisFinding | undefined {
    const flushes = this.flushPath !== undefined || hasVercelRequestContext();
    return this.platform && state !== 'app-provider' && !flushes ? serverless(this.platform) : undefined;
  }
}

function tell(logger: Logger, finding: DiagnosisFinding): void {
  logger.once(`diagnosis:${finding.code}`, 'warn', `${finding.cause} Fix: ${finding.fix}`);
}

/** How tracing runs, without any of the checks (`registerBasalt` needs only this). */
export function tracingState(
  enabled: boolean,
  shutdown: boolean,
  tracing: StartedTracing | undefined,
): Diagnosis['tracing'] {
  if (shutdown) return 'shut-down';
  if (!enabled) return 'disabled';
  if (!tracing) return 'not-started';
  return tracing.owned ? 'basalt-provider' : 'app-provider';
}

/** Whether a context made active is seen as active: false with no context manager (the API's no-op one). */
function contextWorks(): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE, true);
  return context.with(probe, () => context.active() === probe);
}

/** The provider behind the API's global proxy (`ProxyTracerProvider#getDelegate`, public API). */
function globalDelegate(): unknown {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  return typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : proxy;
}

interface ApiSlot {
  version?: unknown;
  trace?: unknown;
  context?: unknown;
}

/**
 * Two copies of `@opentelemetry/api` whose versions differ: the first to register owns the slot,
 * and another copy can neither register (versions must match exactly) nor, if its minor version is
 * newer, read what is registered. Told only when it breaks something for us: what is registered is
 * invisible to our copy, or our own context manager was refused.
 */
function apiMismatch(state: Diagnosis['tracing']): DiagnosisFinding | undefined {
  const slot = (globalThis as { [OTEL_API_SLOT]?: ApiSlot })[OTEL_API_SLOT];
  if (!slot || typeof slot.version !== 'string') return undefined;
  const unseen =
    (slot.trace !== undefined && trace.getTracerProvider() !== slot.trace) ||
    (slot.context !== undefined && !contextWorks());
  const refused = state === 'basalt-provider' && slot.context === undefined;
  if (!unseen && !refused) return undefined;
  return {
    code: 'api-version-mismatch',
    severity: 'error',
    cause: `Two copies of @opentelemetry/api are loaded: version ${slot.version} registered OpenTelemetry's globals first, and the copy basalt-observe imports is another version, so the two share neither the TracerProvider nor the active context: Basalt spans do not nest and other instrumentations' spans never join a Basalt trace.`,
    fix: 'Install one version of @opentelemetry/api: `npm ls @opentelemetry/api` shows the copies; align them (or use `overrides` in package.json) on one version in the range basalt-observe supports (>=1.9.0 <1.11.0).',
  };
}

/** Called at the root's start, when the context active is still its parent's. */
function notRecording(): DiagnosisFinding {
  const parent = trace.getSpanContext(context.active());
  const unsampledParent = parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0;
  return {
    code: 'spans-not-recording',
    severity: 'error',
    cause: unsampledParent
      ? 'Basalt spans are not recorded: the first root started inside a span that another TracerProvider did not sample, and spans follow their parent’s sampling decision, so nothing of that trace reaches Basalt.'
      : 'Basalt spans are not recorded: the TracerProvider they go through (the app’s, which has a BasaltSpanProcessor) has a sampler that dropped the first root.',
    fix: unsampledParent
      ? 'Sample the parent spans (a ParentBasedSampler whose root is AlwaysOnSampler, or a ratio that keeps them), or add `new BasaltSpanProcessor()` to that provider so Basalt uses it; or start the Basalt root outside that span.'
      : 'Use a parent-based sampler that records Basalt traces (e.g. `new ParentBasedSampler({ root: new AlwaysOnSampler() })`) on that provider.',
  };
}

const FOREIGN_PROVIDER: DiagnosisFinding = {
  code: 'foreign-provider',
  severity: 'warning',
  cause:
    'Another TracerProvider (NodeSDK, @vercel/otel, Sentry, …) is registered globally and has no BasaltSpanProcessor, so Basalt records its own spans through a separate provider: spans that other instrumentations (HTTP, database, the AI SDK’s telemetry) start inside a Basalt trace go to that provider and never reach Basalt.',
  fix: 'Add Basalt to that provider: `spanProcessors: [new BasaltSpanProcessor()]` (NodeSDK, registerOTel from @vercel/otel), created before the first Basalt span.',
};

const NO_CONTEXT_MANAGER: DiagnosisFinding = {
  code: 'no-context-manager',
  severity: 'error',
  cause:
    'No OpenTelemetry context manager is registered, so no span is ever active: `observe()` children, adapter spans and other instrumentations’ spans do not nest under their Basalt root (each becomes its own trace or is not recorded).',
  fix: "Register one where the TracerProvider is set up: `context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())`, the manager being the @opentelemetry/context-async-hooks package's (NodeSDK and registerOTel do it for you).",
};

/** Basalt made the provider on a runtime without AsyncLocalStorage (a Worker without nodejs_compat). */
const NO_ASYNC_LOCAL_STORAGE: DiagnosisFinding = {
  code: 'no-context-manager',
  severity: 'warning',
  cause:
    'This runtime has no AsyncLocalStorage (a Cloudflare Worker without the nodejs_compat flag?), so no span is ever active: spans do not nest by themselves across calls. Each AI SDK call still gets its own trace, and observe({ parent: span }) still makes a child.',
  fix: 'On Cloudflare Workers, add `compatibility_flags = ["nodejs_compat"]` to wrangler.toml; elsewhere, pass `parent` explicitly.',
};

const AFTER_SHUTDOWN = {
  cause: 'A span was started after basalt.shutdown(): it is not recorded, nor is any span started later.',
  fix: 'Call shutdown() once, at process exit; between requests or serverless invocations call `basalt.flush()` instead.',
};

function serverless(platform: string): DiagnosisFinding {
  return {
    code: 'serverless-no-flush',
    severity: 'warning',
    cause: `Running on ${platform} and nothing flushes Basalt's spans: spans queued when an invocation ends are lost when the platform freezes the function.`,
    fix:
      platform === 'aws-lambda'
        ? 'Wrap the handler: `export const handler = basalt.wrapHandler(async (event) => …)`, or `await basalt.flush()` before returning.'
        : 'Call `await basalt.flush()` before each invocation returns (Next.js: `after(() => basalt.flush())`; AWS Lambda: `basalt.wrapHandler(handler)`).',
  };
}
