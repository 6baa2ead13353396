/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the SPA with hot reload and sends /api (and /objects) to a running gateway
// (`make run`), so the browser sees one origin just as in production.
const gateway = process.env.SOEMS_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  // /objects: the object store, on the gateway's origin (media uploads and downloads).
  server: { proxy: { "/api": { target: gateway, ws: true }, "/objects": { target: gateway } } },
  build: { sourcemap: false, chunkSizeWarningLimit: 700 },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // jsdom renders of the large forms take seconds when the files run in parallel on a busy
    // machine (5.3-5.4 s measured): a bound against hangs, not a speed test.
    testTimeout: 30_000,
  },
});
