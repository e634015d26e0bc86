/** victor-cache: the public API. Nothing inside the package imports this file. */
export * from "./core/index.js";
export * from "./eviction/index.js";
export * from "./stores/index.js";
export * from "./bus/index.js";
export * from "./multilevel/index.js";
export * from "./warming/index.js";
export * from "./semantic/index.js";
export * from "./invalidation/index.js";
export * from "./analytics/index.js";
export * from "./dashboard/index.js";
export * from "./config/index.js";
