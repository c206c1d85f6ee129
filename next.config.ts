import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The server (server/main.ts) serves Next on the same port as the control plane
  // and socket.io; Next itself never listens.
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
};

export default nextConfig;
