import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../core/errors.js";
import { entry, type ConformanceContext } from "./context.js";

function unencodableValues(): [label: string, value: unknown][] {
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = [1];
  cyclicArray.push({ back: cyclicArray });
  return [
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a function nested in an object", { ok: 1, deep: { fn: function named() {} } }],
    ["a symbol in an array", [1, Symbol.iterator]],
    ["a cyclic object", cyclic],
    ["a cyclic array", cyclicArray],
  ];
}

/** Values that cannot be stored lose nothing; `close` is idempotent. */
export function defineErrorCases(ctx: ConformanceContext): void {
  // A store that keeps references (the memory tier) opts out; an empty describe would fail.
  if (ctx.options.rejectsUnencodable) {
    describe("values that cannot be encoded", () => {
      for (const [label, value] of unencodableValues()) {
        it(`rejects ${label} with CacheSerializationError and keeps the previous value`, async () => {
          await ctx.store.set("k", "ns", entry("previous", { tags: ["t"] }));
          const error = await ctx.store.set("k", "ns", entry(value)).then(
            () => undefined,
            (e: unknown) => e,
          );
          // By code, not instanceof: the suite and a user's store may load separate copies of the
          // error classes (the package's testing and main entry points are separate bundles).
          expect(error).toBeInstanceOf(Error);
          expect(error).toMatchObject({ code: ErrorCode.SERIALIZATION });
          expect((error as Error).message).toContain('"k"');
          const kept = await ctx.store.get("k", "ns");
          expect(kept?.value).toBe("previous");
          expect(kept?.tags).toEqual(["t"]);
        });
      }

      it("rejects a whole setMany batch when one value cannot be encoded, storing none of it", async () => {
        await ctx.store.set("a", "ns", entry("previous a"));
        await expect(
          ctx.store.setMany(
            [
              ["a", entry("new a")],
              ["bad", entry({ fn: () => 1 })],
              ["c", entry("new c")],
            ],
            "ns",
          ),
        ).rejects.toMatchObject({ code: ErrorCode.SERIALIZATION });
        expect((await ctx.store.get("a", "ns"))?.value).toBe("previous a");
        expect(await ctx.store.has("bad", "ns")).toBe(false);
        expect(await ctx.store.has("c", "ns")).toBe(false);
      });
    });
  }

  describe("close", () => {
    it("is idempotent, also when called concurrently", async () => {
      await ctx.store.set("k", "ns", entry(1));
      await Promise.all([ctx.store.close(), ctx.store.close()]);
      await ctx.store.close();
    });
  });
}
