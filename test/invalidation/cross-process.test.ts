/**
 * Tag invalidation across three Node processes sharing a real Redis (L2 and bus): after one
 * process invalidates a tag, the others never read a tagged value once the bus has delivered the
 * invalidation (even though each held it in its L1), untagged values survive, and each process's
 * semantic cache hears the tag too.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TsxChild, type ChildMessage } from "../helpers/processes.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";

const fixture = fileURLToPath(new URL("./fixtures/invalidator-node.ts", import.meta.url));
const ROUNDS = 30;
const TAGGED = 5;

type Read = { value: unknown; source: string };

describeWithRedis("CacheInvalidator tag invalidation across three processes", (redis) => {
  const children: TsxChild[] = [];

  beforeAll(async () => {
    const channel = uniquePrefix("inv-bus");
    const prefix = uniquePrefix("inv-l2");
    for (const id of ["A", "B", "C"]) {
      children.push(new TsxChild(fixture, [redis().url, channel, prefix, id]));
    }
    await Promise.all(children.map((c) => c.next((m) => m.kind === "ready", "ready")));
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.request({ op: "close" }).catch(() => undefined)));
    await Promise.all(children.map((c) => c.stop()));
  });

  it("0 stale reads after delivery, over 30 rounds with every process invalidating in turn", async () => {
    let staleReads = 0;
    let deliveredReads = 0;
    const l1ReadsBefore: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const writer = children[round % 3];
      const others = children.filter((c) => c !== writer);
      const tag = `round-${round}`;
      const tagged = Array.from({ length: TAGGED }, (_, i) => `r${round}-tagged-${i}`);
      const untagged = `r${round}-untagged`;
      for (const key of tagged)
        await writer.request({ op: "set", key, value: `${key}-v`, tags: [tag] });
      await writer.request({ op: "set", key: untagged, value: "keep", tags: ["other"] });
      for (const other of others) {
        await other.request({ op: "watch", keys: [...tagged, untagged] });
        // Read twice: the second read is served from L1, where a missed invalidation would hurt.
        await other.request({ op: "read", keys: tagged });
        const { reads } = await other.request({ op: "read", keys: tagged });
        l1ReadsBefore.push((reads as Read[]).filter((r) => r.source === "l1").length);
      }
      const deliveries = others.map((o) =>
        o.next((m: ChildMessage) => m.kind === "delivered" && m.tag === tag, `delivery of ${tag}`),
      );
      const { removed } = await writer.request({ op: "invalidateTag", tag });
      expect(removed).toBe(TAGGED);
      for (const delivery of await Promise.all(deliveries)) {
        expect(delivery.error).toBeUndefined();
        const reads = delivery.reads as Read[];
        for (const read of reads.slice(0, TAGGED)) {
          deliveredReads++;
          if (read.value !== null) staleReads++;
        }
        expect(reads[TAGGED].value).toBe("keep");
      }
    }
    console.log(
      `cross-process tag invalidation: ${deliveredReads} reads right after delivery, ${staleReads} stale; ` +
        `tagged keys held in L1 before invalidation: ${l1ReadsBefore.reduce((a, b) => a + b, 0)}`,
    );
    expect(staleReads).toBe(0);
    // The reads before the invalidation really came from L1 (so the bus had something to drop).
    expect(l1ReadsBefore.every((n) => n === TAGGED)).toBe(true);
    for (const child of children) {
      const { tags } = await child.request({ op: "semanticTags" });
      expect((tags as string[]).length).toBe(ROUNDS);
    }
  });
});
