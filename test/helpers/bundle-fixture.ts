/**
 * Bundles a TypeScript child-process fixture to one plain JavaScript file, so tests that start it
 * many times pay a plain `node` start each time instead of a TypeScript loader's. The bundle lives
 * under node_modules/.cache so that its bare imports (lmdb, msgpackr) resolve to the project's
 * packages.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";

const CACHE_DIR = join(import.meta.dirname, "..", "..", "node_modules", ".cache", "victor-cache");

/** Replaces the Redis client with a stub, for fixtures that never talk to Redis (faster starts). */
const noRedis: Plugin = {
  name: "no-redis",
  setup(plugin) {
    plugin.onResolve({ filter: /^redis$/ }, () => ({ path: "redis", namespace: "stub" }));
    plugin.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents:
        "export function createClient() { throw new Error('no Redis in this fixture'); }\n" +
        "export const createCluster = createClient;\nexport const RESP_TYPES = {};\n",
      loader: "js",
    }));
  },
};

export interface BundledFixture {
  /** The bundled `.mjs` file, to start with `node`. */
  file: string;
  remove(): void;
}

export async function bundleFixture(
  entry: string,
  options: { withoutRedis?: boolean } = {},
): Promise<BundledFixture> {
  const name = entry.split("/").at(-1)!.replace(/\.ts$/, "");
  const file = join(CACHE_DIR, `${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
    plugins: options.withoutRedis ? [noRedis] : [],
  });
  return { file, remove: () => rmSync(file, { force: true }) };
}
