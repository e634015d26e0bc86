import { CacheConfigError } from "./errors.js";

/**
 * A duration: a number of seconds, or a string with a unit: `"250ms"`, `"90s"`, `"5m"`,
 * `"1h"`, `"1d"`. A bare numeric string (`"30"`) is seconds.
 */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

/**
 * Converts a {@link Duration} to milliseconds. `path` names the option in the error
 * (`l1.ttl`). Negative, NaN, infinite and unparseable values throw a {@link CacheConfigError}.
 */
export function toMillis(value: Duration, path: string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new CacheConfigError(path, `expected a non-negative number of seconds, got ${value}`);
    }
    return Math.round(value * 1000);
  }
  if (typeof value === "string") {
    const match = DURATION_RE.exec(value);
    if (match) return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "s"]);
    throw new CacheConfigError(
      path,
      `cannot parse duration ${JSON.stringify(value)}; use seconds or a unit: "250ms", "90s", "5m", "1h", "1d"`,
    );
  }
  throw new CacheConfigError(path, `expected seconds or a duration string, got ${typeof value}`);
}

/** Like {@link toMillis}, but `undefined` gives `fallback`. */
export function optionalMillis(
  value: Duration | undefined,
  path: string,
  fallback: number,
): number {
  return value === undefined ? fallback : toMillis(value, path);
}
