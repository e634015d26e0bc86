import { afterEach, beforeEach, describe } from "vitest";
import type { CacheStore } from "../store.js";
import { defineBasicCases } from "./cases-basic.js";
import { defineErrorCases } from "./cases-errors.js";
import { defineExpiryCases } from "./cases-expiry.js";
import { defineGroupCases } from "./cases-groups.js";
import type {
  ConformanceContext,
  StoreConformanceOptions,
  StoreFactory,
  StoreFixture,
} from "./context.js";

/**
 * Registers the vitest suite every {@link CacheStore} must pass: round-trips of many value kinds
 * and awkward keys, namespaces and `clear`, TTL, tags and `deleteTag`, `staleAt`, batches,
 * `keys`, encoding errors that lose nothing, and an idempotent `close`.
 *
 * Each case gets a fresh store from `factory` and closes it afterwards (then calls the
 * fixture's `cleanup`). Call it at the top level of a test file:
 *
 * ```ts
 * import { describeStoreConformance, FakeClock } from "victor-cache/testing";
 * describeStoreConformance("MyStore", async () => {
 *   const clock = new FakeClock();
 *   return { store: new MyStore({ clock }), clock };
 * });
 * ```
 */
export function describeStoreConformance(
  name: string,
  factory: StoreFactory,
  options: StoreConformanceOptions = {},
): void {
  const resolved: Required<StoreConformanceOptions> = {
    realTimeTtl: options.realTimeTtl ?? 100,
    rejectsUnencodable: options.rejectsUnencodable ?? true,
  };
  let fixture: StoreFixture | undefined;

  const current = (): StoreFixture => {
    if (fixture === undefined) throw new Error("the store fixture is only available inside a case");
    return fixture;
  };
  const ctx: ConformanceContext = {
    get store(): CacheStore {
      return current().store;
    },
    options: resolved,
    now: () => current().clock?.now() ?? Date.now(),
    get shortTtl(): number {
      return current().clock ? 1_000 : resolved.realTimeTtl;
    },
    async pass(ms: number): Promise<void> {
      const clock = current().clock;
      if (clock) clock.advance(ms);
      else await new Promise((resolve) => setTimeout(resolve, ms));
    },
  };

  describe(`${name} conforms to CacheStore`, () => {
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      const done = fixture;
      fixture = undefined;
      if (!done) return;
      try {
        await done.store.close();
      } finally {
        await done.cleanup?.();
      }
    });

    defineBasicCases(ctx);
    defineGroupCases(ctx);
    defineExpiryCases(ctx);
    defineErrorCases(ctx);
  });
}
