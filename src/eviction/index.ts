export * from "./policy.js";
export { createEvictionPolicy } from "./factory.js";
export { simulate, type SimulationResult } from "./simulator.js";
export { loadTrace, uniqueKeys } from "./trace.js";
