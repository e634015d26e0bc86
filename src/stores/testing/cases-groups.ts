import { describe, expect, it } from "vitest";
import { entry, listKeys, tagsOf, type ConformanceContext } from "./context.js";

/** `clear(namespace)`, `clear()`, tags and `deleteTag`. */
export function defineGroupCases(ctx: ConformanceContext): void {
  describe("clear", () => {
    it("clear(namespace) removes exactly that namespace", async () => {
      // Namespaces that share prefixes with "tool" must survive its clear.
      const namespaces = ["tool", "tools", "too", "tool:x", "x:tool", ""];
      for (const ns of namespaces) {
        await ctx.store.set("k1", ns, entry(`${ns}/1`, { tags: ["t"] }));
        await ctx.store.set("k2", ns, entry(`${ns}/2`));
      }
      await ctx.store.clear("tool");
      expect(await ctx.store.get("k1", "tool")).toBeUndefined();
      expect(await ctx.store.has("k2", "tool")).toBe(false);
      expect(await listKeys(ctx.store.keys("tool"))).toEqual([]);
      for (const ns of namespaces.filter((n) => n !== "tool")) {
        expect((await ctx.store.get("k1", ns))?.value, ns).toBe(`${ns}/1`);
        expect((await ctx.store.get("k2", ns))?.value, ns).toBe(`${ns}/2`);
      }
      // Tags of cleared entries are gone with them.
      expect(await ctx.store.deleteTag("t")).toBe(namespaces.length - 1);
    });

    it("clear() removes every namespace, and the store stays usable", async () => {
      await ctx.store.set("a", "one", entry(1, { tags: ["t"] }));
      await ctx.store.set("b", "two", entry(2));
      await ctx.store.clear();
      expect(await ctx.store.get("a", "one")).toBeUndefined();
      expect(await ctx.store.get("b", "two")).toBeUndefined();
      expect(await listKeys(ctx.store.keys())).toEqual([]);
      expect(await ctx.store.deleteTag("t")).toBe(0);
      await ctx.store.set("a", "one", entry("again"));
      expect((await ctx.store.get("a", "one"))?.value).toBe("again");
    });

    it("clearing an empty or unknown namespace is harmless", async () => {
      await ctx.store.set("a", "kept", entry(1));
      await ctx.store.clear("never-used");
      await ctx.store.clear("never-used");
      expect((await ctx.store.get("a", "kept"))?.value).toBe(1);
    });
  });

  describe("tags", () => {
    it("carries tags with the entry", async () => {
      await ctx.store.set("k", "ns", entry("v", { tags: ["git", "repo:a", "ünï"] }));
      expect(tagsOf(await ctx.store.get("k", "ns"))).toEqual(["git", "repo:a", "ünï"]);
    });

    it("deleteTag removes exactly the live tagged entries, across namespaces, and counts them", async () => {
      await ctx.store.set("a", "tool", entry(1, { tags: ["git"] }));
      await ctx.store.set("b", "llm", entry(2, { tags: ["x", "git"] }));
      await ctx.store.set("c", "tool", entry(3, { tags: ["x"] }));
      await ctx.store.set("d", "tool", entry(4));
      await ctx.store.set("e", "tool", entry(5, { tags: ["gi", "git2", "Git"] }));
      await ctx.store.set("old", "tool", entry(6, { tags: ["git"], expiresAt: ctx.now() - 1 }));
      expect(await ctx.store.deleteTag("git")).toBe(2);
      expect(await ctx.store.has("a", "tool")).toBe(false);
      expect(await ctx.store.has("b", "llm")).toBe(false);
      expect((await ctx.store.get("c", "tool"))?.value).toBe(3);
      expect((await ctx.store.get("d", "tool"))?.value).toBe(4);
      expect((await ctx.store.get("e", "tool"))?.value).toBe(5);
      expect(await ctx.store.deleteTag("git")).toBe(0);
      expect(await ctx.store.deleteTag("x")).toBe(1);
      expect(await ctx.store.deleteTag("no-such-tag")).toBe(0);
      expect(await listKeys(ctx.store.keys())).toEqual([
        ["tool", "d"],
        ["tool", "e"],
      ]);
    });

    it("forgets the old tags of an overwritten or deleted entry", async () => {
      await ctx.store.set("k", "ns", entry(1, { tags: ["before"] }));
      await ctx.store.set("k", "ns", entry(2, { tags: ["after"] }));
      await ctx.store.set("gone", "ns", entry(3, { tags: ["before", "after"] }));
      await ctx.store.delete("gone", "ns");
      expect(await ctx.store.deleteTag("before")).toBe(0);
      expect((await ctx.store.get("k", "ns"))?.value).toBe(2);
      expect(await ctx.store.deleteTag("after")).toBe(1);
      expect(await ctx.store.get("k", "ns")).toBeUndefined();
    });

    it("deletes many tagged entries at once", async () => {
      const n = 300;
      await ctx.store.setMany(
        Array.from(
          { length: n },
          (_, i) => [`k${i}`, entry(i, { tags: i % 2 ? ["odd"] : ["even"] })] as const,
        ),
        "bulk",
      );
      expect(await ctx.store.deleteTag("odd")).toBe(n / 2);
      expect((await listKeys(ctx.store.keys("bulk"))).length).toBe(n / 2);
    });
  });
}
