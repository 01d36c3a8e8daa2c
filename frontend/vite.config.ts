/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { bundleReport } from "./scripts/bundleReport.ts";

// The Django backend serves the built `dist/` at `/` (SPA fallback for every
// non-/api path) and the hashed bundles under `/assets/...`.
const backend = "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  // bundleReport: prints the initial JS of the home route and fails the build over 300 KB gzipped.
  plugins: [react(), bundleReport()],
  server: {
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/ws": { target: backend, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    restoreMocks: true,
    unstubGlobals: true,
  },
});
