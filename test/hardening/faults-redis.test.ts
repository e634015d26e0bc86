/**
 * Redis faults against a server this file owns (it is killed, paused and has its clients
 * killed):
 *
 * - Redis is SIGKILLed while a `getOrSet` loader runs: the loader's value reaches every waiting
 *   caller, nothing hangs, the failure is counted, and once Redis is back the cache writes to it
 *   again (write-through and write-back, whose queued load is flushed after the restart);
 * - 10,000 commands in flight are abandoned twice, once by their timeouts (the server is paused
 *   past them, then answers them all late) and once by killing the connection: every answer
 *   that does arrive belongs to its own key, and the next 10,000 commands on the same store all
 *   get their own key's value, so the connection never gets out of step.
 */
import { expect, it } from "vitest";
import { CacheError } from "../../src/core/errors.js";
import { MultiLevelCache, WritePolicy } from "../../src/multilevel/index.js";
import { RedisStore } from "../../src/stores/redis.js";
import { describeWithOwnedRedis, sleep, uniquePrefix } from "../helpers/redis-harness.js";
import { openRawRedis } from "../helpers/raw-redis.js";

const COMMANDS = 10_000;

/** Polls `check` until it holds or `ms` pass (the breaker's cooldown, a reconnect). */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

describeWithOwnedRedis("Redis faults", (redis) => {
  for (const policy of [WritePolicy.WRITE_THROUGH, WritePolicy.WRITE_BACK]) {
    it(`${policy}: Redis killed mid-load; the load completes and writes resume after a restart`, async () => {
      const prefix = uniquePrefix("kill");
      const cache = new MultiLevelCache({
        l1: { maxSize: 100 },
        l2: {
          type: "redis",
          url: redis().url,
          prefix,
          commandTimeout: "300ms",
          guard: { timeout: "300ms", breaker: { cooldown: "200ms" } },
        },
        writePolicy: policy,
        writeBack: { interval: "50ms" },
      });
      const reader = new RedisStore({ url: redis().url, prefix, commandTimeout: "300ms" });
      try {
        await cache.set("warm", 1);
        await cache.flush();
        let loaders = 0;
        const first = cache.getOrSet("k", async () => {
          loaders++;
          await redis().kill();
          return "loaded";
        });
        await sleep(0);
        const second = cache.getOrSet("k", () => {
          loaders++;
          return "second loader";
        });
        expect(await first).toBe("loaded");
        expect(await second).toBe("loaded");
        expect(loaders).toBe(1);
        expect(await cache.get("k")).toBe("loaded");
        expect(await cache.get("missing")).toBeUndefined();
        expect(cache.getStats().l2!.errors).toBeGreaterThan(0);

        await redis().restart();
        // Write-through lost the load's L2 write (counted); write-back keeps it queued and retries.
        const durable = async () =>
          (await reader.get("k", "default").catch(() => undefined))?.value;
        if (policy === WritePolicy.WRITE_BACK) {
          expect(
            await eventually(async () => (await cache.flush()) && (await durable()) === "loaded"),
          ).toBe(true);
        } else {
          expect(cache.getStats().droppedWrites).toBeGreaterThan(0);
          expect(await durable()).toBeUndefined();
        }
        // Once the breaker lets calls through again, writes reach Redis.
        expect(
          await eventually(async () => {
            await cache.set("after", "restart");
            await cache.flush();
            return (
              (await reader.get("after", "default").catch(() => undefined))?.value === "restart"
            );
          }),
        ).toBe(true);
      } finally {
        await cache.close();
        await reader.close();
      }
    });
  }

  it(`${COMMANDS} in-flight commands abandoned by timeouts and by a killed connection: no answer goes to the wrong key`, async () => {
    const prefix = uniquePrefix("inflight");
    const writer = new RedisStore({ url: redis().url, prefix });
    const store = new RedisStore({ url: redis().url, prefix, commandTimeout: "1s" });
    const raw = await openRawRedis(redis().url);
    const keys = Array.from({ length: COMMANDS }, (_, i) => `k${i}`);
    const valueOf = (key: string) => ({
      key,
      body: `${key}:`.repeat(1 + (Number(key.slice(1)) % 20)),
    });
    try {
      for (let i = 0; i < COMMANDS; i += 1000) {
        const chunk = keys.slice(i, i + 1000);
        await writer.setMany(
          chunk.map((key) => [key, { value: valueOf(key), expiresAt: 0 }] as const),
          "ns",
        );
      }
      expect((await store.get("k0", "ns"))?.value).toEqual(valueOf("k0"));

      /** Fires every key at once; each answer must be its own key's value. */
      const fire = async () => {
        const results = await Promise.allSettled(keys.map((key) => store.get(key, "ns")));
        let answered = 0;
        let aborted = 0;
        results.forEach((result, i) => {
          if (result.status === "fulfilled") {
            answered++;
            expect(result.value?.value, `answer for ${keys[i]}`).toEqual(valueOf(keys[i]));
          } else {
            aborted++;
            expect(result.reason, `failure for ${keys[i]}`).toBeInstanceOf(CacheError);
          }
        });
        return { answered, aborted };
      };

      // 1. The server stops answering for longer than the timeout, then answers everything late.
      await raw.send(["CLIENT", "PAUSE", "1200", "ALL"]);
      const paused = await fire();
      // Commands sent once the pause has ended (firing 10k takes a while on a loaded machine) are
      // answered in time; the point is that the timed-out ones leave the connection in step.
      expect(paused.aborted).toBeGreaterThan(0);
      // The late answers arrive while the next rounds are in flight on the same connection.
      let afterPause = { answered: 0, aborted: COMMANDS };
      await eventually(async () => {
        afterPause = await fire();
        return afterPause.aborted === 0;
      });
      expect(afterPause).toEqual({ answered: COMMANDS, aborted: 0 });

      // 2. The connection is killed with the commands in flight; the store reconnects.
      const inFlight = fire();
      await sleep(1);
      await raw.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
      const killed = await inFlight;
      let afterKill = { answered: 0, aborted: COMMANDS };
      await eventually(async () => {
        afterKill = await fire();
        return afterKill.aborted === 0;
      });
      expect(afterKill).toEqual({ answered: COMMANDS, aborted: 0 });
      console.log(
        `in-flight aborts: ${paused.aborted} timed out during a pause, then ${afterPause.answered}/${COMMANDS} right; ` +
          `${killed.aborted} aborted and ${killed.answered} answered across a killed connection, then ` +
          `${afterKill.answered}/${COMMANDS} right; 0 answers for the wrong key`,
      );
    } finally {
      await writer.clear();
      await writer.close();
      await store.close();
      raw.close();
    }
  });
});
