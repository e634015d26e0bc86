import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", testing: "src/stores/testing/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  external: ["vitest"],
  // The dashboard page (static HTML/JS/CSS): copied to dist/dashboard/, where the server finds it
  // through import.meta.url, which `shims` provides in the CommonJS build too.
  publicDir: "src/dashboard/public",
  shims: true,
});
