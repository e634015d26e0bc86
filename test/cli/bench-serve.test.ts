import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulate } from "../../src/index.js";
import { buildCli, exitOf, firstJson, REPO_ROOT, runCli, spawnCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vc-cli-bench-"));
let built: { cli: string; dir: string };
beforeAll(async () => {
  built = await buildCli();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(built.dir, { recursive: true, force: true });
});

/** A text trace: a loop over 30 keys with a hot key between every request. */
function writeTrace(): { file: string; keys: Uint32Array } {
  const names: string[] = [];
  for (let round = 0; round < 20; round++) {
    for (let k = 0; k < 30; k++) names.push(`page-${k}`, "home");
  }
  const file = join(dir, "trace.txt");
  writeFileSync(file, names.join("\n") + "\n");
  const ids = new Map<string, number>();
  const keys = Uint32Array.from(
    names.map((n) => ids.get(n) ?? (ids.set(n, ids.size), ids.size - 1)),
  );
  return { file, keys };
}

describe("victor-cache bench", () => {
  it("reports each policy's hit ratio at each size, as simulate() computes it", async () => {
    const { file, keys } = writeTrace();
    const r = await runCli(
      ["bench", file, "--policies", "lru,fifo,sieve,w_tinylfu", "--sizes", "5,20", "--json"],
      {
        built: built.cli,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(""); // no progress bar in a pipe
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ requests: 1200, uniqueKeys: 31 });
    expect(out.results).toHaveLength(8);
    for (const result of out.results) {
      expect(result.hitRatio).toBeCloseTo(
        simulate(result.policy, keys, result.capacity).hitRatio,
        12,
      );
    }
    // A loop larger than the cache defeats LRU; only "home" hits.
    const lru5 = out.results.find(
      (x: { policy: string; capacity: number }) => x.policy === "lru" && x.capacity === 5,
    );
    expect(lru5.hits).toBe(599);
    expect(out.best).toHaveLength(2);
  });

  it("prints a table without --json", async () => {
    const { file } = writeTrace();
    const r = await runCli(["bench", file, "--sizes", "10"], { built: built.cli });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| lru +\| +\*?\d+\.\d\d % \|/);
  });

  it.runIf(existsSync(join(REPO_ROOT, "..", "shared", "data", "traces", "lirs-loop.u32.gz")))(
    "reads a .u32.gz trace of the shared data",
    async () => {
      const trace = join(REPO_ROOT, "..", "shared", "data", "traces", "lirs-loop.u32.gz");
      const r = await runCli(
        ["bench", trace, "--policies", "lru,sieve", "--sizes", "100", "--json"],
        { built: built.cli },
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).results).toHaveLength(2);
    },
  );

  it("bad arguments are usage errors (2), a missing trace a runtime error (1)", async () => {
    const { file } = writeTrace();
    expect((await runCli(["bench", file, "--policies", "mru"], { built: built.cli })).code).toBe(2);
    expect((await runCli(["bench", file, "--sizes", "0"], { built: built.cli })).code).toBe(2);
    expect((await runCli(["bench"], { built: built.cli })).code).toBe(2);
    expect((await runCli(["bench", join(dir, "nope.u32.gz")], { built: built.cli })).code).toBe(1);
  });
});

describe("victor-cache serve", () => {
  it("serves the dashboard, /api/stats and /metrics until SIGTERM, then exits 0", async () => {
    const config = join(dir, "serve.yaml");
    writeFileSync(
      config,
      `cache:\n  multi_level:\n    l2:\n      type: file\n      persistence_path: ${join(dir, "l2")}\n  analytics:\n    dashboard:\n      port: 1\n`,
    );
    const child = spawnCli(["serve", "--config", config, "--port", "0", "--json"], {
      built: built.cli,
    });
    const exited = exitOf(child);
    const out = (await firstJson(child)) as { url: string; metrics: string; stats: string };
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(out.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    const metrics = await (await fetch(out.metrics)).text();
    expect(metrics).toContain("victor_cache_");
    const stats = (await (await fetch(out.stats)).json()) as { stats: { reads: number } };
    expect(stats.stats.reads).toBe(0);
    child.kill("SIGTERM");
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it("a port in use is a runtime error (1)", async () => {
    const { createServer } = await import("node:net");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const config = join(dir, "busy.yaml");
    writeFileSync(config, "cache:\n  multi_level:\n    l2: null\n");
    const r = await runCli(["serve", "--config", config, "--port", String(port)], {
      built: built.cli,
    });
    server.close();
    expect(r.code).toBe(1);
    expect(
      (await runCli(["serve", "--config", config, "--port", "http"], { built: built.cli })).code,
    ).toBe(2);
  });
});
