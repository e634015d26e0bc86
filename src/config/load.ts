/**
 * Reading a profiles.yaml: parse safely, substitute `${ENV}`, validate the `cache:` section with
 * zod, and resolve it to the camelCase {@link CacheSystemConfig}.
 */
import { readFile } from "node:fs/promises";
import { CacheConfigError } from "../core/errors.js";
import { DEFAULT_CONFIG_PATH } from "./defaults.js";
import { interpolate, type Environment } from "./interpolate.js";
import { CacheConfigValidationError, toConfigIssues, type SchemaLike } from "./issues.js";
import { resolveCacheSection } from "./resolve.js";
import { expandHome } from "./resolve-paths.js";
import { cacheSectionSchema, type CacheSection } from "./schema.js";
import type { CacheSystemConfig } from "./types.js";
import {
  ConfigPathError,
  formatPath,
  parseYamlSource,
  toPlainTree,
  type ConfigPath,
} from "./yaml-source.js";

export interface ParseConfigOptions {
  /** The file's name, for messages. */
  source?: string;
  /** Variables for `${NAME}`. @default process.env */
  env?: Environment;
}

/**
 * Validates a `cache:` section given as a value (null-prototype or plain objects), after `${ENV}`
 * substitution. Throws a {@link CacheConfigValidationError} listing every problem.
 */
export function validateCacheSection(
  value: unknown,
  options: ParseConfigOptions & { locate?: (path: ConfigPath) => string | undefined } = {},
): CacheSection | undefined {
  if (value === undefined || value === null) return undefined;
  let substituted: unknown;
  try {
    substituted = interpolate(toPlainTree(value, ["cache"]), options.env ?? process.env, ["cache"]);
  } catch (error) {
    if (!(error instanceof ConfigPathError)) throw error;
    const location = options.locate?.(error.configPath);
    const issue = { path: formatPath(error.configPath), message: error.message };
    throw new CacheConfigValidationError(
      [location ? { ...issue, location } : issue],
      options.source,
    );
  }
  const result = cacheSectionSchema.safeParse(substituted);
  if (result.success) return result.data;
  const issues = toConfigIssues(
    result.error.issues,
    cacheSectionSchema as unknown as SchemaLike,
    substituted,
    ["cache"],
    options.locate,
  );
  throw new CacheConfigValidationError(issues, options.source);
}

/** The system configured by the `cache:` section of YAML text (the defaults when it has none). */
export function parseConfig(text: string, options: ParseConfigOptions = {}): CacheSystemConfig {
  const source = parseYamlSource(text, options.source);
  const section = validateCacheSection(source.cache, { ...options, locate: source.locate });
  try {
    return resolveCacheSection(section, options.source);
  } catch (error) {
    // Rules spanning several keys are checked after zod; point at the key in the file as well.
    if (!(error instanceof CacheConfigError) || error.path === undefined) throw error;
    const message = error.message.slice(error.path.length + 2);
    const location = source.locate(error.path.split("."));
    const issue = { path: error.path, message };
    throw new CacheConfigValidationError(
      [location ? { ...issue, location } : issue],
      options.source,
    );
  }
}

/** The configuration used when no file says otherwise. */
export function defaultConfig(): CacheSystemConfig {
  return resolveCacheSection(undefined);
}

/**
 * Reads the `cache:` section of a YAML file, `~/.victor/profiles.yaml` by default. A missing
 * default file gives the defaults; a missing file that was named is an error. Problems throw a
 * CacheConfigError (code `ERR_CACHE_CONFIG`) whose `path` names the key:
 * `cache.multi_level.l1.max_size: expected a positive integer, got "big"`.
 */
export async function loadConfig(
  path?: string,
  options: Omit<ParseConfigOptions, "source"> = {},
): Promise<CacheSystemConfig> {
  const file = expandHome(path ?? DEFAULT_CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (path === undefined && code === "ENOENT") return defaultConfig();
    throw new CacheConfigError(
      file,
      `cannot read the config file (${code ?? (error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  return parseConfig(text, { ...options, source: file });
}
