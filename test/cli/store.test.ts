import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCacheSystem, parseConfig } from "../../src/index.js";
import { buildCli, runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vc-cli-store-"));
const source = join(dir, "a.ts");
const configFile = join(dir, "profiles.yaml");
const CONFIG = [
  "cache:",
  "  multi_level:",
  "    l2:",
  "      type: file",
  `      persistence_path: ${join(dir, "cache_l2.pkl")}`,
  "  warming: { background: false }",
  "  analytics: { monitoring_interval: 0 }",
].join("\n");

/** Fills the L2 through the library, as an agent would. */
async function populate(): Promise<void> {
  const system = createCacheSystem(parseConfig(CONFIG));
  await system.start();
  const { cache, invalidator, semantic } = system;
  await cache.set("git_status", { clean: true }, { namespace: "tool", tags: ["git"], ttl: "1h" });
  await cache.set("git_log", ["a", "b"], { namespace: "tool", tags: ["git"] });
  await cache.set("npm_view:zod", { version: "4.0.0" }, { namespace: "tool" });
  await invalidator!.set(
    "a.ts",
    { functions: 2 },
    { namespace: "analysis", dependsOn: [{ file: source }] },
  );
  await cache.set("summary:a.ts", "short", { namespace: "analysis" });
  await invalidator!.addDependency("summary:a.ts", "analysis", {
    key: "a.ts",
    namespace: "analysis",
  });
  await cache.set("scratch", 1, { namespace: "tmp" });
  await semantic!.put([{ role: "user", content: "How do I rebase?" }], "git rebase -i", {
    tags: ["git"],
  });
  await system.close();
}

// The built bin (as `npm run build` makes it): what users run, and much faster to start than tsx.
let built: { cli: string; dir: string };
beforeAll(async () => {
  writeFileSync(source, "export const a = 1;\n");
  writeFileSync(configFile, CONFIG);
  [built] = await Promise.all([buildCli(), populate()]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(built.dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, "--config", configFile], { built: built.cli });

describe("victor-cache stats and inspect", () => {
  it("stats counts the persisted entries by namespace", async () => {
    const r = await cli("stats", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.l2).toMatchObject({ type: "file", location: join(dir, "cache_l2.lmdb") });
    const byNamespace = Object.fromEntries(
      out.namespaces.map((n: { namespace: string; entries: number }) => [n.namespace, n.entries]),
    );
    expect(byNamespace).toMatchObject({ tool: 3, analysis: 2, tmp: 1, "__semantic:default": 1 });
    expect(byNamespace.__victor_deps).toBeGreaterThan(0);
    expect(out.l2.bytes).toBeGreaterThan(0);
    const text = await cli("stats");
    expect(text.stdout).toMatch(/\| tool +\| +3 \| cache entries/);
    expect(text.stdout).toContain("semantic cache (default)");
  });

  it("inspect shows one entry's value, expiry and tags", async () => {
    const r = await cli("inspect", "git_status", "--namespace", "tool", "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      key: "git_status",
      namespace: "tool",
      value: { clean: true },
      tags: ["git"],
    });
    expect(out.ttlSeconds).toBeGreaterThan(3500);
    expect(out.ttlSeconds).toBeLessThanOrEqual(3600);
    const text = await cli("inspect", "git_status", "-n", "tool");
    expect(text.stdout).toContain("tags: git");
  });

  it("inspect of a missing key exits 3", async () => {
    const r = await cli("inspect", "nope", "--json");
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe("ERR_NOT_FOUND");
  });

  it("a folder that holds no store is a runtime error (1); a config without L2 a usage error (2)", async () => {
    const empty = join(dir, "empty.yaml");
    writeFileSync(
      empty,
      `cache:\n  multi_level:\n    l2:\n      type: file\n      persistence_path: ${join(dir, "none")}\n`,
    );
    const r = await runCli(["stats", "--config", empty], { built: built.cli });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no persisted L2 at ${join(dir, "none")}`);
    const noL2 = join(dir, "nol2.yaml");
    writeFileSync(noL2, "cache:\n  multi_level:\n    l2: null\n");
    expect((await runCli(["stats", "--config", noL2], { built: built.cli })).code).toBe(2);
  });
});

describe("victor-cache invalidate", () => {
  it("rejects a request that names no target, or two", async () => {
    expect((await cli("invalidate")).code).toBe(2);
    expect((await cli("invalidate", "--key", "a", "--tag", "b")).code).toBe(2);
    expect((await cli("invalidate", "--tag", "b", "--namespace", "c")).code).toBe(2);
  });

  it("--tag removes the tagged entries, semantic ones included", async () => {
    const r = await cli("invalidate", "--tag", "git", "--json");
    expect(r.code).toBe(0);
    // Two tool entries and the semantic answer's record, all tagged "git" in the L2.
    expect(JSON.parse(r.stdout)).toEqual({ target: "tag git", removed: 3 });
    expect((await cli("inspect", "git_log", "-n", "tool")).code).toBe(3);
    const stats = JSON.parse((await cli("stats", "--json")).stdout);
    const names = stats.namespaces.map((n: { namespace: string }) => n.namespace);
    expect(names).not.toContain("__semantic:default");
  });

  it("--file removes what was derived from the file, transitively", async () => {
    const r = await cli("invalidate", "--file", source, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).removed).toBe(2);
    expect((await cli("inspect", "a.ts", "-n", "analysis")).code).toBe(3);
    expect((await cli("inspect", "summary:a.ts", "-n", "analysis")).code).toBe(3);
  });

  it("--key and --namespace", async () => {
    const k = await cli("invalidate", "--key", "npm_view:zod", "--namespace", "tool", "--json");
    expect(JSON.parse(k.stdout).removed).toBe(1);
    expect((await cli("inspect", "npm_view:zod", "-n", "tool")).code).toBe(3);
    const n = await cli("invalidate", "--namespace", "tmp");
    expect(n.code).toBe(0);
    expect(n.stdout).toContain("invalidated namespace tmp");
    expect((await cli("inspect", "scratch", "-n", "tmp")).code).toBe(3);
  });
});

describe("victor-cache warm", () => {
  it("--from preloads entries into the L2 and a warming pass runs", async () => {
    const entries = join(dir, "entries.jsonl");
    writeFileSync(
      entries,
      [
        { key: "readme", namespace: "docs", value: "# shop-api" },
        { key: "license", namespace: "docs", value: "MIT", ttl: "1d", tags: ["legal"] },
      ]
        .map((e) => JSON.stringify(e))
        .join("\n"),
    );
    const r = await cli("warm", "--from", entries, "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.preloaded).toBe(2);
    expect(out.run).toMatchObject({ reason: "manual", strategy: "hybrid" });
    const inspect = JSON.parse((await cli("inspect", "license", "-n", "docs", "--json")).stdout);
    expect(inspect).toMatchObject({ value: "MIT", tags: ["legal"] });
  });

  it("a malformed entries file is a usage error; disabled warming too", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, JSON.stringify({ value: 1 }));
    expect((await cli("warm", "--from", bad)).code).toBe(2);
    const off = join(dir, "nowarm.yaml");
    writeFileSync(
      off,
      `${CONFIG.replace("  warming: { background: false }", "  warming: { enabled: false }")}\n`,
    );
    expect((await runCli(["warm", "--config", off], { built: built.cli })).code).toBe(2);
  });
});
