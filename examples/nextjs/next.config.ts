import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // basalt-observe exports spans with OpenTelemetry's OTLP exporters (and @grpc/grpc-js for gRPC
  // endpoints): load it with Node's require at run time rather than bundling it into each route,
  // so the server process has a single copy of it and of its exporters.
  serverExternalPackages: ['basalt-observe'],
  // This example lives inside the basalt-observe repository, whose own package-lock.json would
  // otherwise make Next.js take the repository as the workspace root and resolve modules from its
  // node_modules. Not needed in a standalone app.
  turbopack: { root: __dirname },
  outputFileTracingRoot: __dirname,
};

export default nextConfig;
