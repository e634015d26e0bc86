/**
 * Three Node processes share one Redis as L2, each with a bus and an L1 (test/bus/fixtures/
 * bus-node.ts). After a set or delete in one, the others must never read the old value once the
 * bus has delivered the change; a lost subscription or a Redis crash must leave no stale read
 * behind once the bus is back.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createClient } from "redis";
import { fileURLToPath } from "node:url";
import { describeWithOwnedRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { TsxChild, type ChildMessage } from "../helpers/processes.js";

const fixture = fileURLToPath(new URL("./fixtures/bus-node.ts", import.meta.url));
const count = (child: TsxChild, kind: string) =>
  child.messages.filter((m) => m.kind === kind).length;
/** Resolves once `child` has sent `n` messages of `kind`; returns the n-th. */
async function nth(child: TsxChild, kind: string, n: number): Promise<ChildMessage> {
  await child.next(() => count(child, kind) >= n, `${kind} #${n}`);
  return child.messages.filter((m) => m.kind === kind)[n - 1];
}

/**
 * A request retried while the child's connections are still reconnecting after a Redis restart
 * (they fail fast with "offline" meanwhile: an error, never a stale value).
 */
async function requestOnceBack(
  child: TsxChild,
  request: Record<string, unknown>,
): Promise<ChildMessage> {
  for (;;) {
    try {
      return await child.request(request);
    } catch (error) {
      if (!/offline|ECONNREFUSED|timed out/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

describeWithOwnedRedis(
  "invalidation bus across three Node processes",
  (redis) => {
    const children: TsxChild[] = [];
    const ids = ["A", "B", "C"];
    let admin: ReturnType<typeof createClient>;

    beforeAll(async () => {
      const channel = uniquePrefix("bus");
      const prefix = uniquePrefix("l2");
      const port = redis().port;
      const url = `redis://:adminpw@127.0.0.1:${port}`;
      for (const id of ids) {
        // B's bus logs in as its own ACL user, so the test can cut off just B's subscription. The
        // default user needs a password too: otherwise a reconnect whose AUTH fails would still
        // get its pipelined SUBSCRIBE through as the default user for a moment.
        const busUrl = id === "B" ? `redis://busb:pw@127.0.0.1:${port}` : url;
        children.push(new TsxChild(fixture, [url, busUrl, channel, prefix, id]));
      }
      await Promise.all(children.map((c) => c.next((m) => m.kind === "ready", "ready")));
      admin = createClient({ url });
      await admin.connect();
    });

    afterAll(async () => {
      await Promise.all(children.map((c) => c.stop()));
      if (admin?.isOpen) admin.destroy();
    });

    async function warm(child: TsxChild, expected: unknown): Promise<void> {
      // Two reads: the second proves the value sits in L1, where a missed invalidation would hurt.
      expect((await child.request({ op: "get" })).value).toEqual(expected);
      if (expected !== null) expect((await child.request({ op: "get" })).source).toBe("l1");
    }

    /** Sets a value in `writer` and waits until the bus has delivered it to `others`. */
    async function setAndDeliver(
      writer: TsxChild,
      others: TsxChild[],
      value: string,
    ): Promise<void> {
      const seen = others.map((o) => count(o, "delivered"));
      await writer.request({ op: "set", value });
      await Promise.all(others.map((o, i) => nth(o, "delivered", seen[i] + 1)));
    }

    it("after a set or delete in one process the others never read the old value once it is delivered", async () => {
      const delays: number[] = [];
      let current: unknown = null;
      for (let round = 0; round < 45; round++) {
        const writer = children[round % 3];
        const others = children.filter((c) => c !== writer);
        for (const o of others) await warm(o, current);
        const seen = others.map((o) => count(o, "delivered"));
        const isDelete = round % 4 === 3;
        const value = isDelete ? null : `v${round}`;
        const { sentAt } = await writer.request(isDelete ? { op: "delete" } : { op: "set", value });
        for (let i = 0; i < others.length; i++) {
          const delivered = await nth(others[i], "delivered", seen[i] + 1);
          expect(delivered.readError).toBeUndefined();
          expect(delivered.readValue).toEqual(value);
          delays.push((delivered.at as number) - (sentAt as number));
        }
        current = value;
        for (const c of children) expect((await c.request({ op: "get" })).value).toEqual(current);
      }
      delays.sort((a, b) => a - b);
      console.log(
        `bus delivery delay over ${delays.length} deliveries: median ${percentile(delays, 0.5).toFixed(2)} ms, ` +
          `p95 ${percentile(delays, 0.95).toFixed(2)} ms, max ${delays[delays.length - 1].toFixed(2)} ms`,
      );
    });

    it("messages lost while a subscription was down leave no stale read after the reconnect", async () => {
      const [a, b, c] = children;
      await setAndDeliver(a, [b, c], "before-loss");
      await warm(b, "before-loss");
      await warm(c, "before-loss");
      const bDelivered = count(b, "delivered");
      const bDown = count(b, "disconnected");
      const bUp = count(b, "reconnected");
      const cDelivered = count(c, "delivered");
      // B's bus can neither stay connected nor reconnect until its user is enabled again.
      await admin.sendCommand(["ACL", "SETUSER", "busb", "off"]);
      await admin.sendCommand(["CLIENT", "KILL", "USER", "busb"]);
      await nth(b, "disconnected", bDown + 1);
      await a.request({ op: "set", value: "during-loss" });
      await nth(c, "delivered", cDelivered + 1); // published and delivered to those listening
      await admin.sendCommand(["ACL", "SETUSER", "busb", "on"]);
      await nth(b, "reconnected", bUp + 1);
      expect(count(b, "delivered")).toBe(bDelivered); // B really missed it...
      expect((await b.request({ op: "get" })).value).toBe("during-loss"); // ...and still reads no stale value
    });

    it("kill -9 and restart of Redis: every process reconnects and drops what it can no longer trust", async () => {
      const [a, b, c] = children;
      await setAndDeliver(a, [b, c], "before-crash");
      for (const o of [b, c]) await warm(o, "before-crash");
      await warm(a, "before-crash");
      const down = children.map((ch) => count(ch, "disconnected"));
      const up = children.map((ch) => count(ch, "reconnected"));
      admin.destroy();
      await redis().kill();
      await Promise.all(children.map((ch, i) => nth(ch, "disconnected", down[i] + 1)));
      await redis().restart(); // nothing persisted: the shared tier lost "before-crash"
      await Promise.all(children.map((ch, i) => nth(ch, "reconnected", up[i] + 1)));
      for (const ch of children)
        expect((await requestOnceBack(ch, { op: "get" })).value).toBeNull();
      const seen = [b, c].map((o) => count(o, "delivered"));
      await requestOnceBack(a, { op: "set", value: "after-restart" });
      for (const [i, o] of [b, c].entries()) {
        expect((await nth(o, "delivered", seen[i] + 1)).readValue).toBe("after-restart");
      }
      admin = createClient({ url: `redis://:adminpw@127.0.0.1:${redis().port}` });
      await admin.connect();
    });
  },
  ["--requirepass", "adminpw", "--user", "busb", "on", ">pw", "~*", "&*", "+@all"],
);
