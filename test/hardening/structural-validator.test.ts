/**
 * The structural validator can fail: each invariant it checks is broken on purpose here (by
 * writing into the structures' internals) and must be reported; sound structures report nothing.
 */
import { describe, expect, it } from "vitest";
import { DependencyGraph } from "../../src/invalidation/graph.js";
import { MemoryStore } from "../../src/stores/memory.js";
import { FakeClock } from "../helpers/fake-clock.js";
import {
  validateDependencyGraph,
  validateMemoryStore,
  validateTrackedStructures,
} from "../helpers/structural-validator.js";

type Internals = Record<string, unknown> & {
  sizes: Float64Array;
  keyOf: (string | undefined)[];
  expiresAt: Float64Array;
  tagIndex: Map<string, Set<number>>;
  index: Map<string, Map<string, number>>;
};

function filledStore(clock = new FakeClock()): MemoryStore {
  const store = new MemoryStore({ maxSize: 8, maxBytes: 10_000, clock, sweepInterval: 0 });
  store.setSync("a", "n", "alpha", 0, ["t1"]);
  store.setSync("b", "n", "beta", 0, ["t1", "t2"]);
  store.setSync("c", "m", "gamma");
  return store;
}

const slotOf = (store: MemoryStore, key: string, ns: string): number => store.peek(key, ns);

describe("structural validator: MemoryStore", () => {
  it("reports nothing for a sound store, and registers every store that was written", async () => {
    const store = filledStore();
    expect(await validateMemoryStore(store)).toEqual([]);
    // The setup file's hook saw the writes above; validating now empties the registry.
    expect(await validateTrackedStructures()).toEqual([]);
  });

  it("reports a byte total that differs from the sum of entry sizes", async () => {
    const store = filledStore();
    (store as unknown as Internals).byteTotal = store.bytes + 1;
    expect((await validateMemoryStore(store)).join()).toMatch(
      /byte total .* != sum of entry sizes/,
    );
    (store as unknown as Internals).byteTotal = store.bytes - 1;
  });

  it("reports a policy whose size differs from the map's", async () => {
    const store = filledStore();
    const policy = (store as unknown as { policy: { remove(slot: number): void } }).policy;
    policy.remove(slotOf(store, "a", "n"));
    expect((await validateMemoryStore(store)).join()).toMatch(
      /policy tracks 2 entries, the map holds 3/,
    );
    (
      store as unknown as { policy: { insert(s: number, h: number, e: number): void } }
    ).policy.insert(slotOf(store, "a", "n"), 0, 0);
    expect(await validateMemoryStore(store)).toEqual([]);
  });

  it("reports a tag index pointing at a free slot or at an entry without the tag", async () => {
    const store = filledStore();
    const internals = store as unknown as Internals;
    internals.tagIndex.get("t2")!.add(7);
    internals.tagIndex.get("t1")!.add(slotOf(store, "c", "m"));
    const problems = (await validateMemoryStore(store)).join("\n");
    expect(problems).toMatch(/tag "t2" points at free slot 7/);
    expect(problems).toMatch(/tag "t1" points at slot \d+, whose entry lacks the tag/);
    internals.tagIndex.get("t2")!.delete(7);
    internals.tagIndex.get("t1")!.delete(slotOf(store, "c", "m"));
  });

  it("reports an expired entry that is still reachable", async () => {
    const clock = new FakeClock();
    const store = filledStore(clock);
    store.setSync("d", "n", "delta", clock.now() + 1000);
    clock.advance(2000);
    // peek() hides it, as it should: the validator reads every listed key, and keys() hides it too.
    expect(await validateMemoryStore(store)).toEqual([]);
    // A broken peek (as if expiry were not checked) is reported.
    const peek = store.peek.bind(store);
    const internals = store as unknown as Internals;
    store.peek = (key, ns) => internals.index.get(ns)?.get(key) ?? peek(key, ns);
    const keys = store.keys.bind(store);
    store.keys = async function* (namespace?: string) {
      yield* keys(namespace);
      yield { namespace: "n", key: "d" };
    };
    expect((await validateMemoryStore(store)).join()).toMatch(/expired entry n\/d is reachable/);
    delete (store as Partial<MemoryStore>).peek;
    delete (store as Partial<MemoryStore>).keys;
  });
});

describe("structural validator: DependencyGraph", () => {
  const live = { expiresAt: 0, tags: ["t"] };

  it("reports nothing for a sound graph, and each broken invariant when broken", () => {
    const graph = new DependencyGraph(undefined);
    graph.addEdge("k1:n:a", live, "k1:n:b", live, undefined);
    graph.addEdge("k1:n:b", live, "rconfig", undefined, undefined);
    expect(validateDependencyGraph(graph)).toEqual([]);

    const g = graph as unknown as {
      edgeCount: number;
      tagIndex: Map<string, Set<string>>;
      nodes: Map<string, { in: Set<string> | undefined; entry: { live: boolean } | undefined }>;
    };
    g.edgeCount++;
    expect(validateDependencyGraph(graph).join()).toMatch(/edge count 3, but 2 edges exist/);
    g.edgeCount--;

    g.tagIndex.get("t")!.add("k1:n:zz");
    expect(validateDependencyGraph(graph).join()).toMatch(/names k1:n:zz, not an entry node/);
    g.tagIndex.get("t")!.delete("k1:n:zz");

    g.nodes.get("k1:n:b")!.in!.add("k1:n:ghost");
    expect(validateDependencyGraph(graph).join()).toMatch(/lists dependent k1:n:ghost/);
    g.nodes.get("k1:n:b")!.in!.delete("k1:n:ghost");

    g.nodes.get("k1:n:a")!.entry!.live = false;
    const problems = validateDependencyGraph(graph).join("\n");
    expect(problems).toMatch(/names dead entry k1:n:a/);
    expect(problems).toMatch(/node k1:n:a is dead .* not collected/);
    g.nodes.get("k1:n:a")!.entry!.live = true;
    expect(validateDependencyGraph(graph)).toEqual([]);
  });
});
