import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/index.js";
import { buildCli, REPO_ROOT, runCli as runSource, type CliOptions } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vc-cli-config-"));
let built: { cli: string; dir: string };
beforeAll(async () => {
  built = await buildCli();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(built.dir, { recursive: true, force: true });
});

/** Most runs use the built bin; the first tests run the TypeScript source, as `npm run demo` does. */
const runCli = (args: string[], options: CliOptions = {}) =>
  runSource(args, { ...options, built: built.cli });

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("victor-cache (general)", () => {
  it("--help exits 0 and lists every command (source and built bin)", async () => {
    const source = await runSource(["--help"]);
    expect(source.code).toBe(0);
    const r = await runCli(["--help"]);
    expect(r.stdout).toBe(source.stdout);
    expect(r.code).toBe(0);
    for (const command of [
      "demo",
      "serve",
      "stats",
      "inspect",
      "invalidate",
      "warm",
      "bench",
      "config",
    ]) {
      expect(r.stdout).toContain(command);
    }
  });

  it("--version prints the package version", async () => {
    const r = await runSource(["--version"]);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("an unknown command or option is a usage error (2)", async () => {
    expect((await runCli(["frobnicate"])).code).toBe(2);
    const r = await runCli(["stats", "--colour"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option");
  });
});

describe("victor-cache config validate", () => {
  it("accepts the seed's profile and prints the resolved config as JSON, without secrets", async () => {
    const seed = join(REPO_ROOT, "test", "config", "fixtures", "seed-profiles.yaml");
    const r = await runCli(["config", "validate", seed, "--json"], {
      env: { OPENAI_API_KEY: undefined },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(true);
    expect(out.config.multiLevel.l1.maxSize).toBe(1000);
    expect(out.config.semantic.embedder.model).toBe("text-embedding-ada-002");

    const secret = file(
      "secret.yaml",
      "cache:\n  semantic:\n    embedding_model: text-embedding-3-small\n    embedder:\n      provider: openai\n      api_key: sk-live-123\n  multi_level:\n    l2:\n      type: redis\n      url: redis://user:hunter2@cache:6379\n",
    );
    const s = await runCli(["config", "validate", secret, "--json"]);
    expect(s.code).toBe(0);
    expect(s.stdout).not.toContain("sk-live-123");
    expect(s.stdout).not.toContain("hunter2");
    expect(JSON.parse(s.stdout).config.semantic.embedder.apiKey).toBe("***");
  });

  it("prints a human summary without --json", async () => {
    const ok = file("ok.yaml", "cache:\n  multi_level:\n    l1:\n      max_size: 50\n");
    const r = await runCli(["config", "validate", ok]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid");
    expect(r.stdout).toContain("L1: memory, 50 entries");
  });

  it("rejects a bad config with exit code 2 and every problem's path", async () => {
    const bad = file(
      "bad.yaml",
      "cache:\n  multi_level:\n    l1:\n      max_size: big\n      max_sise: 3\n",
    );
    const r = await runCli(["config", "validate", bad, "--json"]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.issues.map((i: { path: string }) => i.path)).toEqual([
      "cache.multi_level.l1.max_size",
      "cache.multi_level.l1.max_sise",
    ]);
    expect(out.issues[1].message).toContain('did you mean "max_size"?');

    const text = await runCli(["config", "validate", bad]);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain(
      'cache.multi_level.l1.max_size: expected a positive integer, got "big" (line 4, column 7)',
    );
  });

  it("a missing file is a config error (2)", async () => {
    const r = await runCli(["config", "validate", join(dir, "nope.yaml"), "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).issues[0].message).toContain("cannot read the config file");
  });

  it("a config error in any command exits 2 with a JSON error under --json", async () => {
    const bad = file("bad2.yaml", "cache:\n  warming:\n    strategy: hybird\n");
    const r = await runCli(["stats", "--config", bad, "--json"]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.error).toMatchObject({ code: "ERR_CACHE_CONFIG", path: "cache.warming.strategy" });
  });
});

describe("victor-cache config schema", () => {
  it("prints the JSON Schema generated from the zod schema", async () => {
    const r = await runCli(["config", "schema"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(configJsonSchema());
  });

  it("--output writes it to a file", async () => {
    const out = join(dir, "schema.json");
    const r = await runCli(["config", "schema", "--output", out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(configJsonSchema());
  });
});
