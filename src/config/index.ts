/** YAML configuration and the system it builds. */
export { loadConfig, parseConfig, defaultConfig, validateCacheSection } from "./load.js";
export type { ParseConfigOptions } from "./load.js";
export { createCacheSystem, type CacheSystem } from "./system.js";
export { CacheConfigValidationError, type ConfigIssue } from "./issues.js";
export { CONFIG_DEFAULTS, DEFAULT_CONFIG_PATH } from "./defaults.js";
export { configJsonSchema } from "./json-schema.js";
export { lmdbFolderFor } from "./resolve-paths.js";
export type {
  CacheSystemConfig,
  CacheSystemHooks,
  WarmingSystemConfig,
  SemanticSystemConfig,
  InvalidationSystemConfig,
  AnalyticsSystemConfig,
} from "./types.js";
