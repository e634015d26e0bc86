import { createClient } from "redis";
import { afterEach, describe, expect, it } from "vitest";
import { CacheConfigError } from "../../src/core/errors.js";
import type { SemanticFeedMessage } from "../../src/semantic/feed.js";
import { RedisStreamFeed } from "../../src/semantic/redis-feed.js";
import { SemanticCache } from "../../src/semantic/semantic-cache.js";
import { RedisStore } from "../../src/stores/redis.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import { WordEmbedder, user } from "./support.js";

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("RedisStreamFeed options", () => {
  it("rejects a cluster, an empty stream name and a bad maxLength, naming the option", () => {
    const cases: [object, string][] = [
      [{ url: ["redis://a:1", "redis://b:2"] }, "semantic.feed.url"],
      [{ stream: "" }, "semantic.feed.stream"],
      [{ maxLength: 0 }, "semantic.feed.maxLength"],
      [{ block: "soon" }, "semantic.feed.block"],
    ];
    for (const [options, path] of cases) {
      expect(() => new RedisStreamFeed(options)).toThrow(expect.objectContaining({ path }));
      expect(() => new RedisStreamFeed(options)).toThrow(CacheConfigError);
    }
  });
});

describeWithRedis("SemanticCache sharing through Redis (store + stream)", (redis) => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of open.splice(0).reverse()) await c.close();
  });

  function processOn(prefix: string, stream: string) {
    const store = new RedisStore({ url: redis().url, prefix });
    const feed = new RedisStreamFeed({ url: redis().url, stream, block: "200ms" });
    const embedder = new WordEmbedder();
    const cache = new SemanticCache<string>({ embedder, store, feed, similarityThreshold: 0.8 });
    open.push(store, cache);
    return { cache, feed, embedder };
  }

  it("processes sharing Redis see each other's new entries, deletions, clears and tag invalidations", async () => {
    const prefix = uniquePrefix("semantic");
    const stream = `${prefix}feed`;
    const a = processOn(prefix, stream);
    const b = processOn(prefix, stream);
    await Promise.all([a.cache.start(), b.cache.start()]);

    await a.cache.put(user("how do I sort a list of numbers in place"), "list.sort()", {
      tags: ["py"],
    });
    await eventually(() => b.cache.size === 1, "b sees a's entry");
    const callsBefore = b.embedder.calls;
    expect(
      await b.cache.getSimilar(user("how do I sort a list of numbers in place quickly")),
    ).toMatchObject({
      response: "list.sort()",
      exact: false,
    });
    // b embedded only its own lookup: the vector came from the store.
    expect(b.embedder.calls).toBe(callsBefore + 1);

    await b.cache.put(user("what is the boiling point of water"), "100 C", {
      namespace: "science",
    });
    await b.cache.put(user("what is the freezing point of water"), "0 C", { tags: ["cold"] });
    await eventually(() => a.cache.size === 3, "a sees b's entries");

    await a.cache.invalidateTag("cold");
    await eventually(() => b.cache.size === 2, "b applies the tag invalidation");
    await b.cache.clear("science");
    await eventually(() => a.cache.size === 1, "a applies the clear");
    await b.cache.delete(user("how do I sort a list of numbers in place"));
    await eventually(() => a.cache.size === 0, "a applies the delete");
    expect(a.cache.getStats().storeErrors + b.cache.getStats().storeErrors).toBe(0);
  });

  it("a process that joins later rebuilds from the store and then follows the stream", async () => {
    const prefix = uniquePrefix("semantic");
    const stream = `${prefix}feed`;
    const a = processOn(prefix, stream);
    await a.cache.put(user("first question about rust lifetimes"), "first");
    const late = processOn(prefix, stream);
    await late.cache.start();
    expect(late.cache.size).toBe(1);
    await a.cache.put(user("second question about go channels"), "second");
    await eventually(() => late.cache.size === 2, "the late process follows the stream");
  });

  it("resumes from its last id after its connection is killed, and ignores malformed entries", async () => {
    const prefix = uniquePrefix("semantic");
    const stream = `${prefix}feed`;
    const received: SemanticFeedMessage[] = [];
    const feed = new RedisStreamFeed({ url: redis().url, stream, block: "200ms" });
    open.push(feed);
    await feed.subscribe((m) => received.push(m));
    const admin = createClient({ url: redis().url });
    await admin.connect();
    try {
      await admin.sendCommand(["XADD", stream, "*", "m", "not json"]);
      await admin.sendCommand(["XADD", stream, "*", "other", "field"]);
      await eventually(() => feed.malformed === 2, "malformed entries are counted");

      const list = (await admin.sendCommand(["CLIENT", "LIST"])) as string;
      const line = list.split("\n").find((l) => l.includes(`name=${feed.clientName}`));
      const id = /\bid=(\d+)/.exec(line ?? "")?.[1];
      expect(id).toBeDefined();
      await admin.sendCommand(["CLIENT", "KILL", "ID", id!]);
      // Published while the reader is (probably) away; delivered either way, in order.
      for (let i = 0; i < 5; i++) {
        const message = JSON.stringify({
          op: "delete",
          namespace: "n",
          key: `k${i}`,
          origin: "other",
        });
        await admin.sendCommand(["XADD", stream, "*", "m", message]);
      }
      await eventually(() => received.length === 5, "all five events arrive after the reconnect");
      expect(received.map((m) => (m.op === "delete" ? m.key : ""))).toEqual([
        "k0",
        "k1",
        "k2",
        "k3",
        "k4",
      ]);
    } finally {
      await admin.close();
    }
  });
});
