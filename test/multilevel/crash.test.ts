/**
 * Crash test: a child process writes through a write-back MultiLevelCache over LMDB and is
 * SIGKILLed while a batch is being written, 20 times over the same folder. After each kill the
 * folder must open cleanly, every value in it must be whole (no torn record), and every entry the
 * child saw acknowledged as flushed must be there. The run prints the data-loss window: how long
 * an entry acknowledged by set() waited before it was durable, and how many acknowledged sets
 * each kill lost.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { expectedValue } from "./fixtures/write-back-values.js";

const KILLS = 20;
const root = mkdtempSync(join(tmpdir(), "victor-crash-"));
/**
 * The child, bundled to plain JavaScript once: starting it 20 times through a TypeScript loader
 * would cost more than the test itself. It lives under node_modules/.cache so that its bare
 * imports (lmdb, msgpackr) resolve to the project's packages.
 */
const child = join(
  import.meta.dirname,
  "..",
  "..",
  "node_modules",
  ".cache",
  "victor-cache",
  `crash-child-${process.pid}.mjs`,
);

beforeAll(async () => {
  await build({
    entryPoints: [join(import.meta.dirname, "fixtures", "write-back-child.ts")],
    outfile: child,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(child, { force: true });
});

interface RunReport {
  flushedAcked: Set<number>;
  /** Highest seq whose set() had resolved when the child died. */
  lastSetAcked: number;
  maxLagMs: number;
  killedInBatch: boolean;
}

/** Runs the child until it has flushed a few batches, then kills it as the next batch begins. */
function runAndKill(
  path: string,
  namespace: string,
  flushesBeforeKill: number,
): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, path, namespace], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const report: RunReport = {
      flushedAcked: new Set(),
      lastSetAcked: -1,
      maxLagMs: 0,
      killedInBatch: false,
    };
    let acks = 0;
    let killed = false;
    let stderr = "";
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: proc.stdout });
    lines.on("line", (line) => {
      if (killed) return;
      const [kind, a, b] = line.split(" ");
      if (kind === "SET") report.lastSetAcked = Number(a);
      if (kind === "ACK") {
        acks++;
        report.maxLagMs = Math.max(report.maxLagMs, Number(a));
        for (const seq of b.split(",")) report.flushedAcked.add(Number(seq));
      }
      if (kind === "BEGIN" && acks >= flushesBeforeKill) {
        killed = true;
        report.killedInBatch = true;
        proc.kill("SIGKILL");
      }
    });
    proc.on("exit", (_code, signal) => {
      if (signal === "SIGKILL") resolve(report);
      else reject(new Error(`child exited on its own (${signal ?? _code}): ${stderr}`));
    });
  });
}

describe("write-back crash safety", () => {
  it(`survives ${KILLS} SIGKILLs mid-flush: nothing torn, every acknowledged flush present`, async () => {
    const path = join(root, "store");
    const everFlushed: string[] = [];
    const lostPerKill: number[] = [];
    let maxLagMs = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const namespace = `run${kill}`;
      const report = await runAndKill(path, namespace, 1 + (kill % 3));
      expect(report.killedInBatch).toBe(true);
      for (const seq of report.flushedAcked) everFlushed.push(`${namespace}/k${seq}`);
      maxLagMs = Math.max(maxLagMs, report.maxLagMs);

      const store = new LmdbStore({ path, sweepInterval: 0 });
      try {
        const present = new Set<string>();
        for await (const { key, namespace: ns } of store.keys()) {
          const entry = await store.get(key, ns);
          expect(entry?.value, `value of ${ns}/${key}`).toEqual(
            expectedValue(Number(key.slice(1))),
          );
          present.add(`${ns}/${key}`);
        }
        for (const id of everFlushed)
          expect(present.has(id), `acknowledged flush of ${id}`).toBe(true);
        let lost = 0;
        for (let seq = 0; seq <= report.lastSetAcked; seq++)
          if (!present.has(`${namespace}/k${seq}`)) lost++;
        lostPerKill.push(lost);
      } finally {
        await store.close();
      }
    }
    const sorted = [...lostPerKill].sort((x, y) => x - y);
    console.log(
      `crash test: ${KILLS} kills mid-flush, ${everFlushed.length} distinct acknowledged flushes all present; ` +
        `acknowledged-but-unflushed sets lost per kill: median ${sorted[KILLS >> 1]}, max ${sorted[KILLS - 1]}; ` +
        `longest set()-to-durable lag seen: ${maxLagMs.toFixed(1)} ms (interval 10 ms, batch 500)`,
    );
  });
});

describe("write-back flushOnSignals", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s flushes every acknowledged set, then the process exits",
    async (signal) => {
      const path = join(root, `signals-${signal}`);
      const proc = spawn(process.execPath, [child, path, "run", "signals"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let lastSetAcked = -1;
      let sent = false;
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        proc.on("exit", (_code, sig) => resolve(sig)),
      );
      createInterface({ input: proc.stdout }).on("line", (line) => {
        const [kind, a] = line.split(" ");
        if (sent || kind !== "SET") return;
        lastSetAcked = Number(a);
        if (lastSetAcked >= 2000) {
          sent = true;
          proc.kill(signal);
        }
      });
      expect(await exited).toBe(signal); // the default action ran after the flush
      const store = new LmdbStore({ path, sweepInterval: 0 });
      try {
        for (let seq = 0; seq <= lastSetAcked; seq++) {
          expect((await store.get(`k${seq}`, "run"))?.value, `k${seq}`).toEqual(expectedValue(seq));
        }
      } finally {
        await store.close();
      }
    },
  );
});
