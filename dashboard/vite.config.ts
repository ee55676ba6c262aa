/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The pitwall binary serves dist/ at `/`; in `npm run dev` Vite proxies the
// backend's routes to a pitwall running locally (PITWALL_URL overrides).
const backend = process.env.PITWALL_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  plugins: [react()],
  server: {
    proxy: {
      "/graphql": backend,
      "/api": backend,
      "/healthz": backend,
      "/readyz": backend,
      "/ws": { target: backend, ws: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
    // Two pages: the dashboard, and GraphiQL served at /graphiql.
    rollupOptions: {
      input: { main: "index.html", graphiql: "graphiql.html" },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
