import { defineConfig } from "tsup";

export default defineConfig({
  // cli: the `victor-cache` bin (its shebang is kept and the file made executable).
  entry: { index: "src/index.ts", testing: "src/stores/testing/index.ts", cli: "src/cli/main.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "src/index.ts", testing: "src/stores/testing/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  external: ["vitest"],
  // The dashboard page (static HTML/JS/CSS): copied to dist/dashboard/, where the server finds it
  // through import.meta.url, which `shims` provides in the CommonJS build too.
  publicDir: "src/dashboard/public",
  shims: true,
});
