import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A file the dashboard serves, read once at start-up. */
export interface Asset {
  contentType: string;
  body: Buffer;
}

/**
 * This module's folder: src/dashboard/ when run from source, dist/ once bundled (tsup's `shims`
 * give the CommonJS bundle an `import.meta.url`).
 */
function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * The page's folder. In the source tree it is `public/dashboard/` next to this file; tsup copies
 * `src/dashboard/public/` into dist/ (its `publicDir`), so the bundle finds it at `dashboard/`.
 */
function pageDir(): string {
  const here = moduleDir();
  const candidates = [join(here, "public", "dashboard"), join(here, "dashboard")];
  const found = candidates.find((dir) => existsSync(join(dir, "index.html")));
  if (!found) throw new Error(`dashboard page not found (looked in ${candidates.join(", ")})`);
  return found;
}

/** uPlot's browser build, from the installed package (never a CDN). */
function uplotFile(name: string): string {
  return createRequire(import.meta.url).resolve(`uplot/dist/${name}`);
}

/** Every static route of the dashboard, with its bytes. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const dir = pageDir();
  const files: [route: string, path: string, contentType: string][] = [
    ["/", join(dir, "index.html"), "text/html; charset=utf-8"],
    ["/dashboard.js", join(dir, "dashboard.js"), "text/javascript; charset=utf-8"],
    ["/dashboard.css", join(dir, "dashboard.css"), "text/css; charset=utf-8"],
    ["/vendor/uPlot.iife.min.js", uplotFile("uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
    ["/vendor/uPlot.min.css", uplotFile("uPlot.min.css"), "text/css; charset=utf-8"],
  ];
  const assets = new Map<string, Asset>();
  for (const [route, path, contentType] of files)
    assets.set(route, { contentType, body: await readFile(path) });
  assets.set("/index.html", assets.get("/")!);
  return assets;
}
