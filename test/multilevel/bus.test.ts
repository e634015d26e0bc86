import { describe, expect, it } from "vitest";
import { MemoryBus, MemoryBusHub } from "../../src/bus/memory.js";
import { MultiLevelCache } from "../../src/multilevel/index.js";
import { MemoryStore } from "../../src/stores/memory.js";

/** Two "processes": each its own L1 and bus, one shared L2. */
function pair() {
  const hub = new MemoryBusHub();
  const l2 = new MemoryStore({ maxSize: 1000 });
  const busA = new MemoryBus({ hub });
  const busB = new MemoryBus({ hub });
  const a = new MultiLevelCache({ l1: { maxSize: 100 }, l2, bus: busA });
  const b = new MultiLevelCache({ l1: { maxSize: 100 }, l2, bus: busB });
  return { a, b, busA, busB, l2 };
}

/** MemoryBus delivers on a later microtask, like a network would; let it. */
const delivered = () => new Promise((r) => setTimeout(r, 0));

describe("MultiLevelCache with an invalidation bus", () => {
  it("drops from the other process's L1 what this one set or deleted", async () => {
    const { a, b } = pair();
    await a.set("k", 1);
    expect(await b.get("k")).toBe(1); // B's L1 now holds 1
    await a.set("k", 2);
    await delivered();
    expect(b.l1.peek("k", "default")).toBe(-1);
    expect(await b.get("k")).toBe(2);
    await a.delete("k");
    await delivered();
    expect(await b.get("k")).toBeUndefined();
  });

  it("propagates clear(namespace) and tag invalidations", async () => {
    const { a, b } = pair();
    await a.set("x", 1, { namespace: "tool", tags: ["git"] });
    await a.set("y", 2, { namespace: "other" });
    expect(await b.get("x", { namespace: "tool" })).toBe(1);
    expect(await b.get("y", { namespace: "other" })).toBe(2);
    b.l1.setSync("z", "tool", "only in B's L1");
    await a.clear("tool");
    await delivered();
    expect(b.l1.peek("z", "tool")).toBe(-1);
    expect(b.l1.peek("y", "other")).not.toBe(-1);
    b.l1.setSync("t", "other", "tagged", 0, ["git"]);
    await a.invalidateTag("git");
    await delivered();
    expect(b.l1.peek("t", "other")).toBe(-1);
    expect(b.l1.peek("y", "other")).not.toBe(-1);
  });

  it("bypasses L1 while disconnected and drops it again after a reconnect", async () => {
    const { a, b, busB } = pair();
    await a.set("k", 1);
    expect(await b.get("k")).toBe(1);
    busB.disconnect();
    expect(b.l1.size).toBe(0);
    await a.set("k", 2);
    await delivered();
    expect(busB.dropped).toBe(1);
    // The message was lost, yet the read is fresh: L1 is not trusted while disconnected.
    expect(await b.get("k")).toBe(2);
    expect(await b.has("k")).toBe(true);
    await a.set("k", 3);
    await delivered();
    expect(await b.get("k")).toBe(3);
    const hitsWhileDisconnected = b.getStats().l1.hits;
    busB.reconnect();
    expect(b.l1.size).toBe(0);
    expect(await b.get("k")).toBe(3); // from L2, promoted
    expect(await b.get("k")).toBe(3); // L1 answers again
    expect(b.getStats().l1.hits).toBe(hitsWhileDisconnected + 1);
  });

  it("a bus given as an instance stays open after close, and is no longer listened to", async () => {
    const hub = new MemoryBusHub();
    const given = new MemoryBus({ hub });
    const other = new MemoryBus({ hub });
    const cache = new MultiLevelCache({ l2: new MemoryStore(), bus: given });
    await cache.close();
    await expect(given.publish({ type: "clear" })).resolves.toBeUndefined();
    await expect(other.publish({ type: "clear" })).resolves.toBeUndefined();
  });
});
