import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { CacheConfigError, CacheEntryTooLargeError, ErrorCode } from "../../src/core/errors.js";
import { LmdbStore, type LmdbStoreOptions } from "../../src/stores/lmdb.js";
import { describeStoreConformance } from "../../src/stores/testing/index.js";
import { FakeClock } from "../helpers/fake-clock.js";
import { rawOpen, removeTempDirs, tempDir } from "./lmdb-support.js";

afterAll(removeTempDirs);

describeStoreConformance("LmdbStore", async () => {
  const clock = new FakeClock();
  return { store: new LmdbStore({ path: tempDir(), clock }), clock };
});

describeStoreConformance("LmdbStore with caps and hashed long keys", async () => {
  const clock = new FakeClock();
  // Caps well above what the suite stores: exercises recency upkeep without evicting.
  return {
    store: new LmdbStore({ path: tempDir(), clock, maxSize: 100_000, maxBytes: 1 << 30 }),
    clock,
  };
});

const open: LmdbStore[] = [];
function store(options: Partial<LmdbStoreOptions> & { path?: string } = {}): LmdbStore {
  const s = new LmdbStore({ path: tempDir(), sweepInterval: 0, ...options });
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const forever = (value: unknown, tags?: string[]) => ({
  value,
  expiresAt: 0,
  ...(tags && { tags }),
});

describe("LmdbStore persistence", () => {
  it("keeps entries, TTLs, staleAt, tags and counters across close and reopen", async () => {
    const clock = new FakeClock();
    const path = tempDir();
    const first = new LmdbStore({ path, clock });
    const expiresAt = clock.now() + 60_000;
    await first.set("a", "tool", {
      value: new Map([["x", 1n]]),
      expiresAt,
      staleAt: expiresAt - 1,
      tags: ["git"],
    });
    await first.set("b", "llm", forever({ text: "hi" }, ["git", "llm"]));
    await first.set("gone", "llm", forever(1));
    await first.delete("gone", "llm");
    await first.close();

    const second = new LmdbStore({ path, clock });
    open.push(second);
    expect(await second.get("a", "tool")).toEqual({
      value: new Map([["x", 1n]]),
      expiresAt,
      staleAt: expiresAt - 1,
      tags: ["git"],
    });
    expect((await second.get("b", "llm"))?.value).toEqual({ text: "hi" });
    expect(await second.has("gone", "llm")).toBe(false);
    expect(second.getStats()).toMatchObject({ size: 2 });
    // The indexes persisted too: the tag and expiry still find their entries.
    expect(await second.deleteTag("git")).toBe(2);
    expect(second.getStats().size).toBe(0);
  });

  it("expands ~ to the home folder", async () => {
    const { resolveStorePath } = await import("../../src/stores/lmdb-file.js");
    const { homedir } = await import("node:os");
    expect(resolveStorePath("~/.victor/cache_l2")).toBe(`${homedir()}/.victor/cache_l2`);
    expect(resolveStorePath("~")).toBe(homedir());
  });
});

describe("LmdbStore expiry index", () => {
  it("reclaims expired entries without reading them", async () => {
    const clock = new FakeClock();
    const path = tempDir();
    const s = store({ path, clock, sweepBatch: 7 });
    const soon = clock.now() + 1_000;
    await s.setMany(
      Array.from(
        { length: 100 },
        (_, i) => [`t${i}`, { value: i, expiresAt: soon + i, tags: ["tmp"] }] as const,
      ),
      "ns",
    );
    await s.setMany(
      Array.from({ length: 50 }, (_, i) => [`f${i}`, forever(i)] as const),
      "ns",
    );
    expect(s.getStats().size).toBe(150);

    clock.advance(1_049); // the first 50 are due (expiresAt <= now)
    expect(await s.sweep()).toBe(50);
    expect(s.getStats()).toMatchObject({ size: 100, expiredReclaimed: 50 });
    clock.advance(1_000);
    expect(await s.sweep()).toBe(50);
    expect(await s.sweep()).toBe(0);
    expect(s.getStats().size).toBe(50);
    // Reclaimed entries took their tag rows along: nothing left to delete by tag.
    expect(await s.deleteTag("tmp")).toBe(0);
    await s.close();

    const raw = rawOpen(path);
    try {
      expect(raw.db("entries").getCount()).toBe(50);
      expect(raw.db("expiry").getCount()).toBe(0);
      expect(raw.db("tags").getCount()).toBe(0);
      expect(raw.db("stamps").getCount()).toBe(50);
      expect(raw.db("recency").getCount()).toBe(50);
    } finally {
      await raw.root.close();
    }
  });

  it("sweeps on its own every sweepInterval", async () => {
    const clock = new FakeClock();
    const s = store({ clock, sweepInterval: "20ms" });
    await s.set("k", "ns", { value: 1, expiresAt: clock.now() + 10 });
    await s.set("f", "ns", forever(2));
    clock.advance(11);
    await vi.waitFor(() => expect(s.getStats().size).toBe(1), { timeout: 10_000, interval: 10 });
    expect((await s.get("f", "ns"))?.value).toBe(2);
  });
});

describe("LmdbStore caps", () => {
  it("maxSize keeps the most recently written entries when nothing is read", async () => {
    const s = store({ maxSize: 10 });
    for (let i = 0; i < 25; i++) await s.set(`k${i}`, "ns", forever(i));
    expect(s.getStats()).toMatchObject({ size: 10, evictions: 15 });
    const kept = await s.getMany(
      Array.from({ length: 25 }, (_, i) => `k${i}`),
      "ns",
    );
    expect(kept.map((e) => e?.value).filter((v) => v !== undefined)).toEqual([
      15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    ]);
  });

  it("maxSize evicts the least recently read entry, reads counting from the next write", async () => {
    const s = store({ maxSize: 3, touchInterval: 0 });
    await s.set("a", "ns", forever("a"));
    await s.set("b", "ns", forever("b"));
    await s.set("c", "ns", forever("c"));
    expect((await s.get("a", "ns"))?.value).toBe("a");
    await s.set("d", "ns", forever("d"));
    expect(await s.has("b", "ns")).toBe(false);
    expect((await s.getMany(["a", "c", "d"], "ns")).map((e) => e?.value)).toEqual(["a", "c", "d"]);
  });

  it("writes reads back on the touch timer too", async () => {
    const s = store({ maxSize: 2, touchInterval: "10ms" });
    await s.set("a", "ns", forever("a"));
    await s.set("b", "ns", forever("b"));
    await s.get("a", "ns");
    // Wait for the timer to write the read back: then another process's write would see it.
    const { stampOf } = await stampReader(s);
    await vi.waitFor(() => expect(stampOf("a")).toBeGreaterThan(stampOf("b")), {
      timeout: 10_000,
      interval: 10,
    });
  });

  it("maxSize reclaims expired entries before evicting live ones", async () => {
    const clock = new FakeClock();
    const s = store({ clock, maxSize: 5 });
    for (let i = 0; i < 5; i++)
      await s.set(`old${i}`, "ns", { value: i, expiresAt: clock.now() + 100 });
    clock.advance(200);
    for (let i = 0; i < 5; i++) await s.set(`new${i}`, "ns", forever(i));
    expect(s.getStats()).toMatchObject({ size: 5, evictions: 0, expiredReclaimed: 5 });
    expect((await s.getMany(["new0", "new4"], "ns")).map((e) => e?.value)).toEqual([0, 4]);
  });

  it("maxBytes bounds keys plus records and keeps the newest", async () => {
    const s = store({ maxBytes: 20_000 });
    const value = "v".repeat(1_000);
    for (let i = 0; i < 50; i++) await s.set(`k${i}`, "ns", forever(value));
    const { bytes, size, evictions } = s.getStats();
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(size).toBeGreaterThan(10);
    expect(evictions).toBe(50 - size);
    expect(await s.has("k49", "ns")).toBe(true);
    expect(await s.has("k0", "ns")).toBe(false);
  });

  it("rejects an entry larger than maxBytes and keeps the previous value", async () => {
    const s = store({ maxBytes: 5_000 });
    await s.set("k", "ns", forever("small"));
    await expect(s.set("k", "ns", forever("x".repeat(10_000)))).rejects.toBeInstanceOf(
      CacheEntryTooLargeError,
    );
    expect((await s.get("k", "ns"))?.value).toBe("small");
  });

  it("a batch larger than maxSize keeps its last entries", async () => {
    const s = store({ maxSize: 3 });
    await s.setMany(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, forever(i)] as const),
      "ns",
    );
    expect(s.getStats().size).toBe(3);
    expect((await s.getMany(["k7", "k8", "k9"], "ns")).map((e) => e?.value)).toEqual([7, 8, 9]);
  });
});

describe("LmdbStore options", () => {
  it("rejects bad options with a CacheConfigError naming the option", () => {
    const bad: [Partial<LmdbStoreOptions>, string][] = [
      [{ path: "" }, "l2.path"],
      [{ maxSize: -1 }, "l2.maxSize"],
      [{ maxBytes: 1.5 }, "l2.maxBytes"],
      [{ sweepInterval: "soon" }, "l2.sweepInterval"],
      [{ onIncompatible: "delete" as "reset" }, "l2.onIncompatible"],
    ];
    for (const [options, path] of bad) {
      let error: unknown;
      try {
        store({ configPath: "l2.", ...options });
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe(ErrorCode.CONFIG);
      expect((error as CacheConfigError).path).toBe(path);
    }
  });

  it("rejects calls after close with a CacheClosedError", async () => {
    const s = store();
    await s.close();
    await expect(s.get("k", "ns")).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    await expect(s.set("k", "ns", forever(1))).rejects.toMatchObject({ code: ErrorCode.CLOSED });
  });
});

/** Reads a store's recency stamps through a second handle on the same environment. */
async function stampReader(s: LmdbStore) {
  const raw = rawOpen(s.path);
  open.push({ close: () => raw.root.close() } as unknown as LmdbStore);
  const { entryKey } = await import("./lmdb-support.js");
  return {
    stampOf: (key: string): number => {
      raw.root.resetReadTxn();
      const stamp = raw.db("stamps").get(entryKey("ns", key));
      return stamp ? Number(stamp.readBigUInt64BE(0)) : -1;
    },
  };
}
