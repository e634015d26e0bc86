/**
 * What every command shares: reading the configuration named by `--config` and building the parts
 * of the system a command needs.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG_PATH } from "../config/defaults.js";
import { loadConfig } from "../config/load.js";
import type { CacheSystemConfig } from "../config/types.js";
import { LmdbStore } from "../stores/lmdb.js";
import { RedisStore } from "../stores/redis.js";
import type { CacheStore } from "../stores/store.js";
import { CliError, ExitCode } from "./exit-codes.js";

export interface CommonOptions {
  config?: string;
  json?: boolean;
}

export function readConfig(options: CommonOptions): Promise<CacheSystemConfig> {
  return loadConfig(options.config);
}

/** Where the configuration comes from, for messages. */
export function configName(options: CommonOptions): string {
  return options.config ?? `${DEFAULT_CONFIG_PATH} (defaults when absent)`;
}

/**
 * Opens the configured L2 by itself, to read what is persisted. An LMDB folder that does not exist
 * yet is not created: that is a runtime error, not an empty store.
 */
export function openL2(config: CacheSystemConfig): {
  store: CacheStore;
  where: string;
  type: string;
} {
  const l2 = config.multiLevel.l2;
  if (l2 === undefined || !("type" in l2)) {
    throw new CliError(
      "the configuration has no L2 (cache.multi_level.l2) to read",
      ExitCode.USAGE,
    );
  }
  if (l2.type === "redis") {
    const { type: _type, ttl: _ttl, guard: _guard, ...options } = l2;
    return {
      store: new RedisStore(options, "cache.multi_level.l2"),
      where: redactUrl(l2.url),
      type: "redis",
    };
  }
  if (!existsSync(join(l2.path, "data.mdb"))) {
    throw new CliError(`no persisted L2 at ${l2.path}`, ExitCode.RUNTIME);
  }
  return {
    store: new LmdbStore({ path: l2.path, sweepInterval: 0 }),
    where: l2.path,
    type: "file",
  };
}

/** A Redis URL without its password. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/, "$1***@");
}

/** The resolved config without secrets (API keys, header values, Redis passwords), for printing. */
export function redactConfig(config: CacheSystemConfig): CacheSystemConfig {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) => {
      if (key === "apiKey" && typeof value === "string") return "***";
      if (key === "headers" && value !== null && typeof value === "object") {
        return Object.fromEntries(Object.keys(value).map((h) => [h, "***"]));
      }
      if (key === "url" && typeof value === "string") return redactUrl(value);
      return value;
    }),
  ) as CacheSystemConfig;
}

/** The package's version, from the package.json above this file (in src/cli/ or dist/). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "victor-cache") return pkg.version ?? "0.0.0";
    }
    dir = dirname(dir);
  }
  return "0.0.0";
}

/** A value as JSON can show it: Maps as objects, bytes as base64, bigints as strings. */
export function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return { base64: Buffer.from(v).toString("base64") };
      if (v !== null && typeof v === "object" && (v as { type?: unknown }).type === "Buffer") {
        return { base64: Buffer.from((v as { data: number[] }).data).toString("base64") };
      }
      return v;
    }) ?? "null",
  );
}
