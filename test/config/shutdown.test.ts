import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LmdbStore } from "../../src/index.js";

const CHILD = join(import.meta.dirname, "fixtures", "signal-child.ts");

describe("shutdown_on_signals", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s closes the system and flushes write-back before exiting",
    async (signal) => {
      const dir = mkdtempSync(join(tmpdir(), "vc-signal-"));
      const child = spawn(process.execPath, ["--import", "tsx", CHILD, join(dir, "l2"), "200"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("ready")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
      });
      // Everything is still queued: only the shutdown can bring it to L2.
      expect(out).toContain("ready 200");
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        child.once("exit", (code, sig) => resolve([code, sig])),
      );
      child.kill(signal);
      const [, sig] = await exited;
      expect(sig).toBe(signal); // the signal keeps its default action once the flush is done
      const store = new LmdbStore({ path: join(dir, "l2") });
      let found = 0;
      for await (const key of store.keys("tool")) if (key.key.startsWith("k")) found++;
      expect(found).toBe(200);
      expect((await store.get("k199", "tool"))?.value).toEqual({ i: 199 });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );
});
