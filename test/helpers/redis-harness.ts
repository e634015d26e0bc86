/**
 * vitest wrappers around real Redis servers.
 *
 * - `describeWithRedis`: a server for the suite: `REDIS_URL` when set, else a `redis-server` this
 *   suite starts on a free port (temp dir, nothing persisted) and stops in afterAll.
 * - `describeWithOwnedRedis`: always a server the suite owns, because its tests kill -9 and
 *   restart it; `REDIS_URL` cannot be used for those.
 * - `describeWithCluster`: a local 3-master Redis Cluster.
 *
 * Without a `redis-server` binary the suite is skipped with a loud warning; with
 * `VICTOR_CACHE_REQUIRE_REDIS=1` (set by .ci/run) it fails instead, so CI can never pass by skipping.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { randomBytes } from "node:crypto";
import {
  hasRedisBinary,
  hasRedisCli,
  startOwnedCluster,
  startOwnedRedis,
  type OwnedRedisCluster,
  type OwnedRedisServer,
} from "./redis-server.js";

export { sleep } from "./redis-server.js";
export type { OwnedRedisCluster, OwnedRedisServer } from "./redis-server.js";

export const REQUIRE_REDIS = process.env.VICTOR_CACHE_REQUIRE_REDIS === "1";

/** A key prefix no other test (or a user's data on a shared REDIS_URL) can collide with. */
export function uniquePrefix(label = "t"): string {
  return `victor-test:${label}:${randomBytes(4).toString("hex")}:`;
}

/** The server a suite runs against; `owned` is undefined when it came from REDIS_URL. */
export interface RedisTarget {
  url: string;
  owned: OwnedRedisServer | undefined;
}

function unavailable(name: string, why: string): void {
  if (REQUIRE_REDIS) {
    describe(name, () => {
      it("needs a real Redis (VICTOR_CACHE_REQUIRE_REDIS=1)", () => {
        throw new Error(
          `${why}; VICTOR_CACHE_REQUIRE_REDIS=1 forbids skipping. Install redis-server.`,
        );
      });
    });
    return;
  }
  console.warn(
    `\n${"!".repeat(78)}\n!! SKIPPING "${name}": ${why}.\n!! Install redis-server (or set REDIS_URL) to run it; ` +
      `CI sets VICTOR_CACHE_REQUIRE_REDIS=1 so it fails there.\n${"!".repeat(78)}\n`,
  );
}

/** A suite against a shared or owned Redis; `redis()` is valid inside tests and hooks. */
export function describeWithRedis(name: string, body: (redis: () => RedisTarget) => void): void {
  const url = process.env.REDIS_URL;
  if (!url && !hasRedisBinary()) {
    unavailable(name, "no redis-server binary on PATH and REDIS_URL is not set");
    describe.skip(name, () => body(() => ({ url: "", owned: undefined })));
    return;
  }
  let target: RedisTarget | undefined;
  describe(name, () => {
    beforeAll(async () => {
      target = url ? { url, owned: undefined } : await startServer();
    });
    afterAll(async () => {
      await target?.owned?.stop();
    });
    body(() => {
      if (!target) throw new Error("redis target used before beforeAll ran");
      return target;
    });
  });
}

async function startServer(): Promise<RedisTarget> {
  const owned = await startOwnedRedis();
  return { url: owned.url, owned };
}

/**
 * A suite whose tests kill and restart the server, so it always starts its own; `serverArgs` are
 * extra redis-server arguments (an ACL user, say), applied again on every restart.
 */
export function describeWithOwnedRedis(
  name: string,
  body: (redis: () => OwnedRedisServer) => void,
  serverArgs: readonly string[] = [],
): void {
  if (!hasRedisBinary()) {
    unavailable(name, "no redis-server binary on PATH (kill/restart tests need a server they own)");
    describe.skip(name, () => body(() => undefined as unknown as OwnedRedisServer));
    return;
  }
  if (process.env.REDIS_URL) {
    console.warn(
      `"${name}" kills and restarts Redis, so it starts its own server instead of REDIS_URL.`,
    );
  }
  let server: OwnedRedisServer | undefined;
  describe(name, () => {
    beforeAll(async () => {
      server = await startOwnedRedis(serverArgs);
    });
    afterAll(async () => {
      await server?.stop();
    });
    body(() => {
      if (!server) throw new Error("redis server used before beforeAll ran");
      return server;
    });
  });
}

/** A suite against a local 3-master Redis Cluster started for it. */
export function describeWithCluster(
  name: string,
  body: (cluster: () => OwnedRedisCluster) => void,
): void {
  if (!hasRedisBinary() || !hasRedisCli()) {
    unavailable(name, "redis-server and redis-cli are needed to start a local Redis Cluster");
    describe.skip(name, () => body(() => undefined as unknown as OwnedRedisCluster));
    return;
  }
  let cluster: OwnedRedisCluster | undefined;
  describe(name, () => {
    beforeAll(async () => {
      cluster = await startOwnedCluster(3);
    });
    afterAll(async () => {
      await cluster?.stop();
    });
    body(() => {
      if (!cluster) throw new Error("redis cluster used before beforeAll ran");
      return cluster;
    });
  });
}
