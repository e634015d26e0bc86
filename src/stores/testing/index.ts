/**
 * `victor-cache/testing`: the CacheStore conformance suite (vitest) and a fake clock, so users
 * can check their own stores against the same contract as the built-in ones.
 */
export { describeStoreConformance } from "./conformance.js";
export { FakeClock } from "./fake-clock.js";
export type {
  ManualClock,
  StoreConformanceOptions,
  StoreFactory,
  StoreFixture,
} from "./context.js";
