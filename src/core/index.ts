export * from "./errors.js";
export * from "./clock.js";
export * from "./duration.js";
export * from "./keys.js";
export * from "./events.js";
export * from "./codec.js";
