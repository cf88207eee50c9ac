/**
 * Runs once when the Next.js server starts, before it serves a request.
 *
 * Creating the Basalt client is all the registration basalt-observe needs: it brings its own
 * TracerProvider and AsyncLocalStorage context (set up on the first span, and registered globally
 * since this app has no other), so every span started inside a Basalt trace — the AI SDK
 * middleware's, Next.js' own `fetch` spans — lands in the same trace. Only the Node.js runtime loads
 * it: OpenTelemetry exporters and AsyncLocalStorage do not exist on the Edge runtime.
 *
 * An app that already registers OpenTelemetry (`@vercel/otel`, Sentry, …) adds Basalt to that
 * provider instead: see README.md.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./lib/basalt');
  }
}
