/**
 * Runs once when the Next.js server starts, before it serves a request.
 *
 * `registerBasalt()` starts basalt-observe's tracing now rather than on the first span: its
 * TracerProvider and AsyncLocalStorage context (registered globally, since this app has no other)
 * are in place before Next.js starts its request span for the first request, so that request's
 * Basalt root is a child of Next.js's span exactly like every later request's. Every span started
 * inside a Basalt trace — the AI SDK middleware's, Next.js' own `fetch` spans — lands in the same
 * trace. Registered for the Node.js runtime only: an edge route (app/api/edge/route.ts) gets
 * basalt-observe's edge build, which starts its tracing on its first span and flushes with `after`.
 *
 * An app that already registers OpenTelemetry (`@vercel/otel`, Sentry, …) adds a
 * `BasaltSpanProcessor` to that provider first, then calls `registerBasalt()`: see README.md.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // The app's client (lib/basalt.ts) first, so tracing is built from its settings.
    await import('./lib/basalt');
    const { registerBasalt } = await import('basalt-observe');
    registerBasalt();
  }
}
