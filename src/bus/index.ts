export {
  InvalidationType,
  type InvalidationBus,
  type InvalidationEvent,
  type InvalidationMessage,
  type InvalidationHandler,
} from "./bus.js";
export { MemoryBus, MemoryBusHub, defaultMemoryBusHub, type MemoryBusOptions } from "./memory.js";
export {
  RedisBus,
  type RedisBusOptions,
  type RedisBusEvents,
  type RedisBusState,
} from "./redis.js";
