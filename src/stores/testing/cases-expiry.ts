import { describe, expect, it } from "vitest";
import { entry, listKeys, type ConformanceContext } from "./context.js";

/** TTL through `expiresAt`, and `staleAt` carried untouched. */
export function defineExpiryCases(ctx: ConformanceContext): void {
  describe("expiry", () => {
    it("hides an entry whose time has passed from get, has, getMany, keys and delete", async () => {
      await ctx.store.set("old", "ns", entry("v", { expiresAt: ctx.now() - 1 }));
      await ctx.store.set("live", "ns", entry("w", { expiresAt: ctx.now() + 3_600_000 }));
      expect(await ctx.store.get("old", "ns")).toBeUndefined();
      expect(await ctx.store.has("old", "ns")).toBe(false);
      expect((await ctx.store.getMany(["old", "live"], "ns")).map((e) => e?.value)).toEqual([
        undefined,
        "w",
      ]);
      expect(await listKeys(ctx.store.keys("ns"))).toEqual([["ns", "live"]]);
      expect(await ctx.store.delete("old", "ns")).toBe(false);
    });

    it("expires an entry once its TTL passes, not before", async () => {
      const expiresAt = ctx.now() + ctx.shortTtl;
      await ctx.store.set("k", "ns", entry("v", { expiresAt }));
      await ctx.store.set("forever", "ns", entry("f"));
      const got = await ctx.store.get("k", "ns");
      expect(got?.value).toBe("v");
      expect(got?.expiresAt).toBe(expiresAt);
      await ctx.pass(ctx.shortTtl * 2 + 20);
      expect(await ctx.store.get("k", "ns")).toBeUndefined();
      expect(await ctx.store.has("k", "ns")).toBe(false);
      expect((await ctx.store.getMany(["k"], "ns"))[0]).toBeUndefined();
      expect(await listKeys(ctx.store.keys())).toEqual([["ns", "forever"]]);
      expect((await ctx.store.get("forever", "ns"))?.value).toBe("f");
    });

    it("never expires an entry with expiresAt 0", async () => {
      await ctx.store.set("k", "ns", entry("v"));
      await ctx.pass(ctx.shortTtl * 2 + 20);
      expect((await ctx.store.get("k", "ns"))?.value).toBe("v");
      expect(await ctx.store.has("k", "ns")).toBe(true);
    });

    it("a new set revives an expired key, and a set without TTL removes the old one", async () => {
      await ctx.store.set("k", "ns", entry(1, { expiresAt: ctx.now() - 1 }));
      await ctx.store.set("k", "ns", entry(2, { expiresAt: ctx.now() + ctx.shortTtl }));
      expect((await ctx.store.get("k", "ns"))?.value).toBe(2);
      await ctx.store.set("k", "ns", entry(3));
      await ctx.pass(ctx.shortTtl * 2 + 20);
      expect((await ctx.store.get("k", "ns"))?.value).toBe(3);
    });
  });

  describe("staleAt", () => {
    it("carries staleAt untouched, even when it is already past", async () => {
      const now = ctx.now();
      await ctx.store.set(
        "k",
        "ns",
        entry("v", { staleAt: now - 10_000, expiresAt: now + 3_600_000 }),
      );
      await ctx.store.set("j", "ns", entry("w", { staleAt: now + 123.5 }));
      const [k, j] = await ctx.store.getMany(["k", "j"], "ns");
      expect(k).toMatchObject({ value: "v", staleAt: now - 10_000, expiresAt: now + 3_600_000 });
      expect(j).toMatchObject({ value: "w", staleAt: now + 123.5, expiresAt: 0 });
      expect(await ctx.store.has("k", "ns")).toBe(true);
    });
  });
}
