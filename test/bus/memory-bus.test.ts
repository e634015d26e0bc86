import { describe, expect, it } from "vitest";
import { MemoryBus, MemoryBusHub } from "../../src/bus/memory.js";
import { parseInvalidationMessage, type InvalidationMessage } from "../../src/bus/bus.js";
import { ErrorCode } from "../../src/core/errors.js";
import { ChaosBus } from "../helpers/chaos.js";

function trio() {
  const hub = new MemoryBusHub();
  const buses = ["a", "b", "c"].map((id) => new MemoryBus({ hub, id }));
  const received = buses.map(() => [] as InvalidationMessage[]);
  buses.forEach((bus, i) => bus.subscribe((m) => received[i].push(m)));
  return { hub, buses, received };
}

describe("MemoryBus", () => {
  it("delivers to every other instance on the hub, stamped with the sender, never to itself", async () => {
    const { buses, received } = trio();
    await buses[0].publish({ type: "set", namespace: "ns", key: "k" });
    await buses[1].publish({ type: "tag", tag: "t" });
    expect(received[0]).toEqual([{ senderId: "b", type: "tag", tag: "t" }]);
    expect(received[1]).toEqual([{ senderId: "a", type: "set", namespace: "ns", key: "k" }]);
    expect(received[2]).toHaveLength(2);
  });

  it("instances on different hubs do not hear each other", async () => {
    const a = new MemoryBus({ hub: new MemoryBusHub() });
    const b = new MemoryBus({ hub: new MemoryBusHub() });
    const got: InvalidationMessage[] = [];
    b.subscribe((m) => got.push(m));
    await a.publish({ type: "clear" });
    expect(got).toEqual([]);
  });

  it("drops messages while disconnected and runs reconnect handlers when back", async () => {
    const { buses, received } = trio();
    const events: string[] = [];
    buses[1].onDisconnect(() => events.push("down"));
    buses[1].onReconnect(() => events.push("up"));
    buses[1].disconnect();
    expect(buses[1].connected).toBe(false);
    await buses[0].publish({ type: "delete", namespace: "ns", key: "k" });
    expect(received[1]).toEqual([]);
    expect(buses[1].dropped).toBe(1);
    buses[1].reconnect();
    await buses[0].publish({ type: "clear", namespace: "ns" });
    expect(received[1]).toEqual([{ senderId: "a", type: "clear", namespace: "ns" }]);
    expect(events).toEqual(["down", "up"]);
  });

  it("rejects malformed events with a typed error and stops after close", async () => {
    const { buses, received } = trio();
    await expect(buses[0].publish({ type: "set", key: "k" })).rejects.toMatchObject({
      code: ErrorCode.CONFIG,
    });
    await expect(buses[0].publish({ type: "nope" as "set" })).rejects.toMatchObject({
      code: ErrorCode.CONFIG,
    });
    await buses[2].close();
    await buses[0].publish({ type: "clear" });
    expect(received[2]).toEqual([]);
    await expect(buses[2].publish({ type: "clear" })).rejects.toMatchObject({
      code: ErrorCode.CLOSED,
    });
  });

  it("a handler that throws does not keep others from receiving", async () => {
    const { buses, received } = trio();
    const errors: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) =>
      original(() => {
        try {
          fn();
        } catch (e) {
          errors.push(e);
        }
      });
    try {
      buses[1].subscribe(() => {
        throw new Error("bad handler");
      });
      const later: InvalidationMessage[] = [];
      buses[1].subscribe((m) => later.push(m));
      await buses[0].publish({ type: "clear" });
      await new Promise((r) => setImmediate(r));
      expect(received[1]).toHaveLength(1);
      expect(later).toHaveLength(1);
      expect(errors).toHaveLength(1);
    } finally {
      globalThis.queueMicrotask = original;
    }
  });

  it("parses wire messages strictly", () => {
    expect(
      parseInvalidationMessage('{"senderId":"x","type":"set","namespace":"n","key":"k"}'),
    ).toEqual({
      senderId: "x",
      type: "set",
      namespace: "n",
      key: "k",
    });
    expect(parseInvalidationMessage("not json")).toBeUndefined();
    expect(parseInvalidationMessage('{"type":"clear"}')).toBeUndefined();
    expect(parseInvalidationMessage('{"senderId":"x","type":"tag"}')).toBeUndefined();
    expect(
      parseInvalidationMessage('{"senderId":"x","type":"set","namespace":1,"key":"k"}'),
    ).toBeUndefined();
  });
});

describe("ChaosBus (test helper) around a MemoryBus", () => {
  it("drops, fails and cuts off messages on demand, and simulates a reconnect", async () => {
    const hub = new MemoryBusHub();
    const sender = new ChaosBus(new MemoryBus({ hub, id: "s" }));
    const receiver = new ChaosBus(new MemoryBus({ hub, id: "r" }));
    const got: InvalidationMessage[] = [];
    const events: string[] = [];
    receiver.subscribe((m) => got.push(m));
    receiver.onDisconnect(() => events.push("down"));
    receiver.onReconnect(() => events.push("up"));
    sender.dropRate = 1;
    await sender.publish({ type: "clear" });
    sender.dropRate = 0;
    sender.publishFailureRate = 1;
    await expect(sender.publish({ type: "clear" })).rejects.toMatchObject({
      code: ErrorCode.STORE,
    });
    sender.publishFailureRate = 0;
    receiver.disconnect();
    await sender.publish({ type: "clear", namespace: "lost" });
    receiver.reconnect();
    await sender.publish({ type: "clear", namespace: "kept" });
    expect(got).toEqual([{ senderId: "s", type: "clear", namespace: "kept" }]);
    expect(receiver.droppedIncoming).toBe(1);
    expect(events).toEqual(["down", "up"]);
  });
});
