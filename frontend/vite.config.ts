/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";

// `npm run dev` serves the SPA with hot reload and sends /api (and /objects) to a running gateway
// (`make run`), so the browser sees one origin just as in production.
const gateway = process.env.SOEMS_GATEWAY_URL ?? "http://127.0.0.1:8080";
// The service worker's cache of attempts (emptied at sign-out: src/features/auth).
const ATTEMPT_CACHE = "soems-attempts";

export default defineConfig({
  plugins: [
    react(),
    // A service worker (Workbox) so that an exam page reloads while offline: the app shell is
    // precached, and an attempt's last reading is kept (network first) for when the network
    // is gone. Unsent answers are in IndexedDB already (features/attempt/unsent.ts).
    VitePWA({
      // Registered by the app once signed in (src/app/offline.ts), not on the first load.
      injectRegister: false,
      registerType: "autoUpdate",
      manifest: false,
      workbox: {
        // The page that installed it is served by it at once, not from its next load.
        clientsClaim: true,
        skipWaiting: true,
        navigateFallback: "/index.html",
        navigateFallbackDenylist: [/^\/api\//, /^\/objects\//],
        runtimeCaching: [
          {
            urlPattern: ({ url, request }) =>
              request.method === "GET" && /^\/api\/v1\/attempts\/[^/]+$/.test(url.pathname),
            handler: "NetworkFirst",
            options: {
              cacheName: ATTEMPT_CACHE,
              networkTimeoutSeconds: 4,
              expiration: { maxEntries: 8 },
            },
          },
        ],
      },
    }),
  ],
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
