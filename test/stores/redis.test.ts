import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisStore } from "../../src/stores/redis.js";
import { describeStoreConformance, FakeClock } from "../../src/stores/testing/index.js";
import { ErrorCode } from "../../src/core/errors.js";
import { describeWithRedis, uniquePrefix } from "../helpers/redis-harness.js";
import {
  freePort,
  hasRedisBinary,
  startOwnedRedis,
  type OwnedRedisServer,
} from "../helpers/redis-server.js";
import { redisFixture, registerRedisStoreCases } from "./redis-store-cases.js";

describeWithRedis("RedisStore on a single Redis", (redis) => {
  describeStoreConformance("RedisStore (fake clock)", async () =>
    redisFixture(() => ({ url: redis().url }), new FakeClock()),
  );
  describeStoreConformance("RedisStore (real time, Redis expires keys)", async () =>
    redisFixture(() => ({ url: redis().url })),
  );
  registerRedisStoreCases({
    connection: () => ({ url: redis().url }),
    nodeUrls: () => [redis().url],
  });
});

describe("RedisStore options", () => {
  it("rejects a prefix with braces, a bad URL and a bad maxValueBytes, naming the option", () => {
    expect(() => new RedisStore({ prefix: "a{b}" }, "l2")).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.prefix" }),
    );
    expect(() => new RedisStore({ url: "http://x" }, "l2")).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.url" }),
    );
    expect(() => new RedisStore({ maxValueBytes: 0 }, "l2")).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.maxValueBytes" }),
    );
    expect(() => new RedisStore({ commandTimeout: "soon" }, "l2")).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG, path: "l2.commandTimeout" }),
    );
  });

  it("fails with a typed error, not a hang, when Redis is unreachable", async () => {
    const port = await freePort();
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, commandTimeout: "200ms" });
    await expect(store.get("k", "ns")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await store.close();
  });
});

// TLS and ACL credentials need a server started with certificates (made with openssl) and a user.
const hasOpenssl = spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
const canTls = hasRedisBinary() && hasOpenssl;
if (!canTls) {
  console.warn(
    "SKIPPING the rediss:// test: it needs redis-server and openssl on PATH to start a TLS server.",
  );
}
describe.runIf(canTls)("RedisStore over rediss:// with username and password", () => {
  let server: OwnedRedisServer;
  let tlsPort = 0;
  let certDir = "";
  let ca: Buffer;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), "victor-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(certDir, "key.pem"),
        "-out",
        join(certDir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(join(certDir, "cert.pem"));
    tlsPort = await freePort();
    server = await startOwnedRedis([
      "--tls-port",
      String(tlsPort),
      "--tls-cert-file",
      join(certDir, "cert.pem"),
      "--tls-key-file",
      join(certDir, "key.pem"),
      "--tls-ca-cert-file",
      join(certDir, "cert.pem"),
      "--tls-auth-clients",
      "no",
      "--user",
      "alice",
      "on",
      ">s3cret",
      "~*",
      "&*",
      "+@all",
    ]);
  });

  afterAll(async () => {
    await server?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it("connects with credentials in the URL and stores over TLS", async () => {
    const store = new RedisStore({
      url: `rediss://alice:s3cret@127.0.0.1:${tlsPort}`,
      prefix: uniquePrefix("tls"),
      clientOptions: { socket: { tls: true, ca } },
    });
    try {
      await store.set("k", "ns", { value: "secret value", expiresAt: 0 });
      expect((await store.get("k", "ns"))?.value).toBe("secret value");
    } finally {
      await store.clear();
      await store.close();
    }
  });

  it("a wrong password fails with a typed error", async () => {
    const store = new RedisStore({
      url: `rediss://alice:wrong@127.0.0.1:${tlsPort}`,
      commandTimeout: "500ms",
      clientOptions: { socket: { tls: true, ca } },
    });
    const failure = await store.get("k", "ns").catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: expect.stringMatching(/^ERR_CACHE_(STORE|TIMEOUT)$/) });
    await store.close();
  });
});
