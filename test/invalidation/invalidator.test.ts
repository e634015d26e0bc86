import { describe, expect, it } from "vitest";
import { CacheInvalidator, DEPENDENCY_NAMESPACE } from "../../src/invalidation/index.js";
import { l1Setup, l2Setup, RecordingSemantic } from "./support.js";

describe("CacheInvalidator: manual invalidation", () => {
  it("invalidates by key, by namespace and by predicate, counting by kind", async () => {
    const { cache, invalidator } = l2Setup();
    for (const ns of ["a", "b"]) {
      for (let i = 0; i < 5; i++) await cache.set(`k${i}`, i, { namespace: ns });
    }
    expect(await invalidator.invalidateKey("k0", "a")).toBe(1);
    expect(await invalidator.invalidateKey("k0", "a")).toBe(0);
    expect(await cache.get("k0", { namespace: "a" })).toBeUndefined();
    expect(await cache.get("k0", { namespace: "b" })).toBe(0);

    expect(await invalidator.invalidateWhere((key) => key === "k1" || key === "k2")).toBe(4);
    expect(await cache.get("k1", { namespace: "b" })).toBeUndefined();
    expect(await cache.get("k3", { namespace: "b" })).toBe(3);

    await invalidator.invalidateNamespace("a");
    expect(await cache.get("k3", { namespace: "a" })).toBeUndefined();
    expect(await cache.get("k3", { namespace: "b" })).toBe(3);
    const { invalidations } = invalidator.getStats();
    expect(invalidations).toMatchObject({ key: 2, predicate: 1, namespace: 1, tag: 0 });
    await invalidator.close();
  });

  it("a predicate never visits the invalidator's own namespace", async () => {
    const { cache, invalidator } = l2Setup();
    await cache.set("x", 1);
    await invalidator.addDependency("x", "default", "res");
    const seen: string[] = [];
    await invalidator.invalidateWhere((_key, namespace) => {
      seen.push(namespace);
      return false;
    });
    expect(seen).toEqual(["default"]);
    let persisted = 0;
    for await (const _ of cache.l2!.keys(DEPENDENCY_NAMESPACE)) persisted++;
    expect(persisted).toBe(1);
  });
});

describe("CacheInvalidator: tags", () => {
  it("tags an existing entry keeping its value and remaining TTL, then invalidates it everywhere", async () => {
    const semantic = new RecordingSemantic();
    const { cache, clock, l2, invalidator } = l2Setup({ semantic });
    await cache.set("a", { v: 1 }, { ttl: "10s", tags: ["t0"] });
    await cache.set("b", "bee", { ttl: "10s" });
    clock.advance(4_000);
    expect(await invalidator.tag("a", "default", ["git"])).toBe(true);
    expect(await invalidator.tag("missing", "default", ["git"])).toBe(false);
    const entry = await l2.get("a", "default");
    expect(entry?.value).toEqual({ v: 1 });
    expect([...(entry?.tags ?? [])].sort()).toEqual(["git", "t0"]);
    expect(entry?.expiresAt).toBe(clock.now() + 6_000);
    expect(await invalidator.invalidateTag("git")).toBe(1);
    expect(await cache.get("a")).toBeUndefined();
    expect(await l2.get("a", "default")).toBeUndefined();
    expect(await cache.get("b")).toBe("bee");
    expect(semantic.tags).toEqual(["git"]);
  });

  it("an un-awaited tag() is applied before a following invalidateTag", async () => {
    const { cache, invalidator } = l2Setup();
    await cache.set("k", 1);
    void invalidator.tag("k", "default", ["later"]);
    expect(await invalidator.invalidateTag("later")).toBe(1);
    expect(await cache.get("k")).toBeUndefined();
  });

  it("a tag invalidation also cascades to what depends on the tagged entries", async () => {
    const { cache, invalidator } = l2Setup();
    await invalidator.set("base", 1, { tags: ["repo"] });
    await invalidator.set("derived", 2, { dependsOn: [{ key: "base" }] });
    await invalidator.set("derived2", 3, { dependsOn: [{ key: "derived" }] });
    expect(await invalidator.invalidateTag("repo")).toBe(3);
    expect(await cache.get("derived2")).toBeUndefined();
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });
});

describe("CacheInvalidator: dependency graph", () => {
  it("cascades transitively through entries, files and resources", async () => {
    const { cache, invalidator } = l1Setup();
    await invalidator.set("ast", 1, { namespace: "parse", dependsOn: ["/repo/a.ts"] });
    await invalidator.set("types", 2, {
      namespace: "check",
      dependsOn: [{ key: "ast", namespace: "parse" }],
    });
    await invalidator.set("report", 3, {
      dependsOn: [{ key: "types", namespace: "check" }, "flags"],
    });
    await invalidator.set("other", 4, { dependsOn: ["flags"] });
    expect(await invalidator.dependentsOf({ file: "/repo/a.ts" })).toEqual([
      { key: "ast", namespace: "parse" },
    ]);
    expect(await invalidator.dependenciesOf("report")).toEqual([
      { kind: "entry", key: "types", namespace: "check" },
      { kind: "resource", name: "flags" },
    ]);
    expect(await invalidator.invalidateDependents("/repo/a.ts")).toBe(3);
    expect(await cache.get("report")).toBeUndefined();
    expect(await cache.get("other")).toBe(4);
    // "report"'s edge to flags went with it; "other" still depends on flags.
    expect(await invalidator.dependentsOf("flags")).toEqual([
      { key: "other", namespace: "default" },
    ]);
    expect(invalidator.getStats().cascades).toMatchObject({ runs: 1, entries: 3, lastSize: 3 });
  });

  it("invalidating an entry takes its dependents but invalidateDependents keeps the target", async () => {
    const { cache, invalidator } = l1Setup();
    await invalidator.set("base", 1);
    await invalidator.set("mid", 2, { dependsOn: [{ key: "base" }] });
    await invalidator.set("top", 3, { dependsOn: [{ key: "mid" }] });
    expect(await invalidator.invalidateDependents({ key: "mid" })).toBe(1);
    expect(await cache.get("mid")).toBe(2);
    expect(await cache.get("top")).toBeUndefined();
    expect(await invalidator.invalidateKey("base")).toBe(2);
    expect(await cache.get("mid")).toBeUndefined();
  });

  it("a plain cache.delete cascades under the event strategies, not under manual", async () => {
    for (const strategy of ["hybrid", "manual"] as const) {
      const { cache, invalidator } = l1Setup({ strategy });
      await invalidator.set("base", 1);
      await invalidator.set("top", 2, { dependsOn: [{ key: "base" }] });
      await cache.delete("base");
      await invalidator.idle();
      expect(await cache.get("top")).toBe(strategy === "manual" ? 2 : undefined);
    }
  });

  it("an expired middle entry stays as a ghost, so a change below still reaches the top", async () => {
    const { cache, clock, invalidator } = l1Setup();
    await invalidator.set("mid", 1, { ttl: "10s", dependsOn: ["res"] });
    await invalidator.set("top", 2, { ttl: "1h", dependsOn: [{ key: "mid" }] });
    await invalidator.set("lonely", 3, { ttl: "10s", dependsOn: ["res"] });
    clock.advance(11_000);
    expect(await invalidator.dependentsOf("res")).toEqual([]); // mid is dead, lonely collected
    expect(invalidator.getStats().graph).toEqual({ nodes: 3, edges: 2 });
    expect(await invalidator.invalidateDependents("res")).toBe(1);
    expect(await cache.get("top")).toBeUndefined();
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });

  it("edges go when their entries go: delete, eviction (L1-only) and TTL", async () => {
    const { cache, clock, invalidator } = l1Setup({ strategy: "manual" }, 2);
    await invalidator.set("a", 1, { dependsOn: ["r"] });
    await invalidator.set("b", 1, { dependsOn: ["r"], ttl: "5s" });
    await cache.delete("a");
    expect(await invalidator.dependentsOf("r")).toEqual([{ key: "b", namespace: "default" }]);
    clock.advance(6_000);
    expect(await invalidator.dependentsOf("r")).toEqual([]);
    await invalidator.set("c", 1, { dependsOn: ["r"] });
    await cache.set("d", 1);
    await cache.set("e", 1); // evicts c from the 2-entry L1
    expect(await invalidator.dependentsOf("r")).toEqual([]);
    expect(invalidator.getStats().graph).toEqual({ nodes: 0, edges: 0 });
  });
});

describe("CacheInvalidator: named events", () => {
  it("maps events to tags, keys, namespaces and dependents, by object or by function", async () => {
    const semantic = new RecordingSemantic();
    const { cache, invalidator } = l2Setup({ semantic });
    await cache.set("cfg", 1, { tags: ["config"] });
    await cache.set("k", 1, { namespace: "tool" });
    await cache.set("n1", 1, { namespace: "scratch" });
    await invalidator.set("dep", 1, { dependsOn: ["user:42"] });
    invalidator.on("config.updated", { tags: ["config"], namespaces: ["scratch"] });
    const off = invalidator.on("user.changed", (payload) => ({
      dependents: [`user:${(payload as { id: number }).id}`],
      keys: [{ key: "k", namespace: "tool" }],
    }));
    expect(await invalidator.emit("nothing.registered")).toBe(0);
    expect(await invalidator.emit("config.updated")).toBe(1);
    expect(await cache.get("cfg")).toBeUndefined();
    expect(await cache.get("n1", { namespace: "scratch" })).toBeUndefined();
    expect(semantic.tags).toEqual(["config"]);
    expect(await invalidator.emit("user.changed", { id: 42 })).toBe(2);
    expect(await cache.get("dep")).toBeUndefined();
    expect(await cache.get("k", { namespace: "tool" })).toBeUndefined();
    off();
    await cache.set("k", 2, { namespace: "tool" });
    expect(await invalidator.emit("user.changed", { id: 42 })).toBe(0);
    expect(invalidator.getStats().invalidations.event).toBe(2);
  });
});

describe("CacheInvalidator: construction", () => {
  it("needs a MultiLevelCache", () => {
    expect(() => new CacheInvalidator({} as never)).toThrow(/cache: expected a MultiLevelCache/);
  });
});
