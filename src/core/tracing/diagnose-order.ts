import { propagation } from '@opentelemetry/api';
import type { Diagnosis, DiagnosisFinding } from './diagnose.js';
import type { StartedTracing } from './provider.js';

/**
 * Whether a text-map propagator is registered globally. Basalt never registers one; the SDKs that
 * own an app's OpenTelemetry setup (`registerOTel` from @vercel/otel, NodeSDK's `start()`) register
 * one next to their TracerProvider and context manager, each in its own global slot.
 */
export function propagatorRegistered(): boolean {
  try {
    return propagation.fields().length > 0;
  } catch {
    return false;
  }
}

/**
 * The app's OpenTelemetry setup started after Basalt had registered its own provider globally
 * (`registerBasalt()` or a first Basalt span before `registerOTel()`): a global slot is written once,
 * so that setup's provider and context manager were refused, and only its propagator, in a slot
 * Basalt leaves free, was registered. Seen as a propagator that was not there when Basalt
 * registered its provider and is there now.
 */
export function appSetupRefused(
  state: Diagnosis['tracing'],
  tracing: StartedTracing | undefined,
): DiagnosisFinding | undefined {
  if (state !== 'basalt-provider' || tracing?.propagatorAtRegistration !== false) return undefined;
  return propagatorRegistered() ? APP_SETUP_REFUSED : undefined;
}

const APP_SETUP_REFUSED: DiagnosisFinding = {
  code: 'app-sdk-after-basalt',
  severity: 'warning',
  cause:
    "An OpenTelemetry propagator was registered after Basalt had registered its own TracerProvider, which is what the app's OpenTelemetry setup (registerOTel from @vercel/otel, NodeSDK, …) does when it starts after Basalt: a provider is registered once per process, so that setup's provider (and context manager) was refused, and the app's spans no longer reach that setup's exporters (they go through Basalt's provider, which sends only Basalt traces, to Basalt). If you registered only a propagator yourself, nothing is wrong.",
  fix: "Start the app's setup first, with Basalt in it, then Basalt: `registerOTel({ spanProcessors: [new BasaltSpanProcessor()] })` (or `new NodeSDK({ spanProcessors: [new BasaltSpanProcessor()] }).start()`), then `registerBasalt()`, in instrumentation.ts or before anything else runs.",
};
