import { describe, expect, it } from "vitest";
import { entry, listKeys, tagsOf, type ConformanceContext } from "./context.js";
import { awkwardKeys, sampleValues } from "./values.js";

/** Round-trips, overwrite, delete/has, batches, `keys`, concurrency. */
export function defineBasicCases(ctx: ConformanceContext): void {
  describe("values", () => {
    for (const [label, value] of sampleValues()) {
      it(`round-trips ${label}`, async () => {
        await ctx.store.set("k", "values", entry(value));
        const got = await ctx.store.get("k", "values");
        expect(got).toBeDefined();
        expect(got!.value).toEqual(value);
        expect(got!.expiresAt).toBe(0);
        expect(got!.staleAt).toBeUndefined();
        expect(tagsOf(got)).toEqual([]);
      });
    }

    it("keeps each value's type when many kinds share a namespace", async () => {
      const samples = sampleValues();
      await Promise.all(
        samples.map(([label, value]) => ctx.store.set(label, "mixed", entry(value))),
      );
      for (const [label, value] of samples) {
        expect((await ctx.store.get(label, "mixed"))?.value, label).toEqual(value);
      }
    });
  });

  describe("keys and namespaces", () => {
    for (const [label, key] of awkwardKeys()) {
      it(`stores ${label} apart from its neighbours`, async () => {
        // A sibling sharing all but the end of the key, within the length limit.
        const sibling = key.length >= 2 ? key.slice(0, -2) + "x" : key + "x";
        await ctx.store.set(key, "ns", entry("mine"));
        await ctx.store.set(sibling, "ns", entry("sibling"));
        await ctx.store.set(key, key, entry("namespace named like the key"));
        expect((await ctx.store.get(key, "ns"))?.value).toBe("mine");
        expect((await ctx.store.get(sibling, "ns"))?.value).toBe("sibling");
        expect((await ctx.store.get(key, key))?.value).toBe("namespace named like the key");
        expect(await ctx.store.has(key, "ns")).toBe(true);
        expect((await listKeys(ctx.store.keys("ns"))).map(([, k]) => k).sort()).toEqual(
          [key, sibling].sort(),
        );
        expect(await listKeys(ctx.store.keys(key))).toEqual([[key, key]]);
        expect(await ctx.store.delete(key, "ns")).toBe(true);
        expect(await ctx.store.get(key, "ns")).toBeUndefined();
        expect((await ctx.store.get(sibling, "ns"))?.value).toBe("sibling");
        await ctx.store.clear(key);
        expect(await ctx.store.get(key, key)).toBeUndefined();
        expect((await ctx.store.get(sibling, "ns"))?.value).toBe("sibling");
      });
    }

    it("never confuses a separator in the namespace with one in the key", async () => {
      await ctx.store.set("b:c", "a", entry(1));
      await ctx.store.set("c", "a:b", entry(2));
      expect((await ctx.store.get("b:c", "a"))?.value).toBe(1);
      expect((await ctx.store.get("c", "a:b"))?.value).toBe(2);
      expect(await ctx.store.get("c", "a")).toBeUndefined();
    });

    it("isolates identical keys in different namespaces", async () => {
      await ctx.store.set("k", "tool", entry("from tool"));
      await ctx.store.set("k", "llm", entry("from llm"));
      expect((await ctx.store.get("k", "tool"))?.value).toBe("from tool");
      expect((await ctx.store.get("k", "llm"))?.value).toBe("from llm");
      await ctx.store.delete("k", "tool");
      expect(await ctx.store.has("k", "tool")).toBe(false);
      expect((await ctx.store.get("k", "llm"))?.value).toBe("from llm");
    });
  });

  describe("get, set, has, delete", () => {
    it("misses on a key never set", async () => {
      expect(await ctx.store.get("absent", "ns")).toBeUndefined();
      expect(await ctx.store.has("absent", "ns")).toBe(false);
      expect(await ctx.store.delete("absent", "ns")).toBe(false);
    });

    it("overwrites a value together with its TTL, tags and staleAt", async () => {
      const later = ctx.now() + 60_000;
      await ctx.store.set(
        "k",
        "ns",
        entry("old", { expiresAt: later, staleAt: later - 1, tags: ["a"] }),
      );
      await ctx.store.set("k", "ns", entry({ v: "new" }, { tags: ["b"] }));
      const got = await ctx.store.get("k", "ns");
      expect(got?.value).toEqual({ v: "new" });
      expect(got?.expiresAt).toBe(0);
      expect(got?.staleAt).toBeUndefined();
      expect(tagsOf(got)).toEqual(["b"]);
      expect(await listKeys(ctx.store.keys("ns"))).toEqual([["ns", "k"]]);
    });

    it("deletes exactly one entry and reports whether it was there", async () => {
      await ctx.store.set("a", "ns", entry(1));
      await ctx.store.set("b", "ns", entry(2));
      expect(await ctx.store.delete("a", "ns")).toBe(true);
      expect(await ctx.store.delete("a", "ns")).toBe(false);
      expect(await ctx.store.has("a", "ns")).toBe(false);
      expect((await ctx.store.get("b", "ns"))?.value).toBe(2);
    });

    it("can set a key again after deleting it", async () => {
      await ctx.store.set("k", "ns", entry(1, { tags: ["t"] }));
      await ctx.store.delete("k", "ns");
      await ctx.store.set("k", "ns", entry(2));
      expect((await ctx.store.get("k", "ns"))?.value).toBe(2);
      expect(tagsOf(await ctx.store.get("k", "ns"))).toEqual([]);
    });

    it("keeps every write of many concurrent callers", async () => {
      const n = 200;
      await Promise.all(
        Array.from({ length: n }, (_, i) => ctx.store.set(`k${i}`, `ns${i % 3}`, entry({ i }))),
      );
      const got = await Promise.all(
        Array.from({ length: n }, (_, i) => ctx.store.get(`k${i}`, `ns${i % 3}`)),
      );
      got.forEach((e, i) => expect(e?.value).toEqual({ i }));
      expect((await listKeys(ctx.store.keys())).length).toBe(n);
    });
  });

  describe("batches", () => {
    it("getMany answers one result per key, in order, with misses as undefined", async () => {
      await ctx.store.set("a", "ns", entry("A"));
      await ctx.store.set("c", "ns", entry("C", { tags: ["t"] }));
      await ctx.store.set("b", "other", entry("not here"));
      const got = await ctx.store.getMany(["c", "b", "a", "zz", "a"], "ns");
      expect(got.map((e) => e?.value)).toEqual(["C", undefined, "A", undefined, "A"]);
      expect(tagsOf(got[0])).toEqual(["t"]);
      expect(await ctx.store.getMany([], "ns")).toEqual([]);
    });

    it("setMany stores every entry with its own TTL, tags and staleAt", async () => {
      const later = ctx.now() + 60_000;
      await ctx.store.setMany(
        [
          ["a", entry(1)],
          ["b", entry([2], { expiresAt: later, tags: ["x", "y"] })],
          ["c", entry(new Map([[3, 3]]), { staleAt: later - 5, expiresAt: later })],
        ],
        "ns",
      );
      const [a, b, c] = await ctx.store.getMany(["a", "b", "c"], "ns");
      expect(a).toMatchObject({ value: 1, expiresAt: 0 });
      expect(b).toMatchObject({ value: [2], expiresAt: later });
      expect(tagsOf(b)).toEqual(["x", "y"]);
      expect(c?.value).toEqual(new Map([[3, 3]]));
      expect(c).toMatchObject({ staleAt: later - 5, expiresAt: later });
      expect(await listKeys(ctx.store.keys())).toEqual([
        ["ns", "a"],
        ["ns", "b"],
        ["ns", "c"],
      ]);
    });

    it("setMany with a repeated key keeps the last one; an empty batch is a no-op", async () => {
      await ctx.store.setMany(
        [
          ["k", entry("first")],
          ["k", entry("last")],
        ],
        "ns",
      );
      await ctx.store.setMany([], "ns");
      expect((await ctx.store.get("k", "ns"))?.value).toBe("last");
    });
  });

  describe("keys", () => {
    it("lists exactly the live keys, of one namespace or of all", async () => {
      await ctx.store.set("a", "one", entry(1));
      await ctx.store.set("b", "one", entry(2));
      await ctx.store.set("gone", "one", entry(3));
      await ctx.store.set("old", "one", entry(4, { expiresAt: ctx.now() - 1_000 }));
      await ctx.store.set("a", "two", entry(5));
      await ctx.store.set("a", "one:two", entry(6));
      await ctx.store.delete("gone", "one");
      expect(await listKeys(ctx.store.keys("one"))).toEqual([
        ["one", "a"],
        ["one", "b"],
      ]);
      expect(await listKeys(ctx.store.keys("two"))).toEqual([["two", "a"]]);
      expect(await listKeys(ctx.store.keys("none"))).toEqual([]);
      expect(await listKeys(ctx.store.keys())).toEqual([
        ["one", "a"],
        ["one", "b"],
        ["one:two", "a"],
        ["two", "a"],
      ]);
    });

    it("lists many keys completely", async () => {
      const n = 1_500;
      await ctx.store.setMany(
        Array.from({ length: n }, (_, i) => [`key-${i}`, entry(i)] as const),
        "bulk",
      );
      const listed = await listKeys(ctx.store.keys("bulk"));
      expect(listed.length).toBe(n);
      expect(new Set(listed.map(([, k]) => k)).size).toBe(n);
    });
  });
}
