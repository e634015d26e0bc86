/** Shared set-ups of the invalidation tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CacheInvalidator } from "../../src/invalidation/index.js";
import type { CacheInvalidatorOptions } from "../../src/invalidation/index.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";

/** An L1-only cache and an invalidator on a fake clock (no timers that could fire). */
export function l1Setup(options: Partial<CacheInvalidatorOptions> = {}, l1MaxSize = 1000) {
  const clock = new FakeClock();
  const cache = new MultiLevelCache({ l1: { maxSize: l1MaxSize, sweepInterval: 0 }, clock });
  const invalidator = new CacheInvalidator({ cache, ...options });
  return { clock, cache, invalidator };
}

/** A two-tier cache (memory L2) and an invalidator on a fake clock. */
export function l2Setup(options: Partial<CacheInvalidatorOptions> = {}, l1MaxSize = 1000) {
  const clock = new FakeClock();
  const l2 = new MemoryStore({ maxSize: 10_000, clock, sweepInterval: 0 });
  const cache = new MultiLevelCache({ l1: { maxSize: l1MaxSize, sweepInterval: 0 }, l2, clock });
  const invalidator = new CacheInvalidator({ cache, ...options });
  return { clock, cache, l2, invalidator };
}

/** A semantic-cache stand-in that records the tags it was asked to drop. */
export class RecordingSemantic {
  readonly tags: string[] = [];
  async invalidateTag(tag: string): Promise<number> {
    this.tags.push(tag);
    return 1;
  }
}

export function tempDir(label: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `victor-inv-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 5 ms until it holds or `limitMs` passed; resolves to whether it held. */
export async function waitFor(
  condition: () => Promise<boolean>,
  limitMs: number,
): Promise<boolean> {
  const end = performance.now() + limitMs;
  for (;;) {
    if (await condition()) return true;
    if (performance.now() > end) return false;
    await sleep(5);
  }
}
