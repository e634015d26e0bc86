import { fileURLToPath } from "node:url";

/**
 * Absolute path of a shared trace, e.g. `tracePath("arc-OLTP")` (see ../shared/data/README.md).
 * Resolved from this file, not the cwd, so tests can run from anywhere.
 */
export function tracePath(name: string): string {
  return fileURLToPath(new URL(`../../../shared/data/traces/${name}.u32.gz`, import.meta.url));
}
