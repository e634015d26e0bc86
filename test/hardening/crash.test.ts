/**
 * Crash safety: a child process writing through a write-back MultiLevelCache over LMDB is
 * SIGKILLed at random points (while opening the folder, or at a random moment of its writes), over
 * and over on the same folder. After every kill:
 *
 * - the LMDB store opens;
 * - 0 torn entries: every entry of the run holds exactly the self-checking value written;
 * - the entries that reached LMDB are a prefix k0..kP of the run (batches land whole and in
 *   order), including every entry the child saw flushed;
 * - the acknowledged sets lost are within the write-back window: at most maxQueue + batchSize
 *   entries (300 with the writer's settings). How old the oldest lost set was is printed.
 *
 * VICTOR_CRASH_KILLS sets the number of kills (default 200); RELIABILITY.md has the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LmdbStore } from "../../src/stores/lmdb.js";
import { bundleFixture, type BundledFixture } from "../helpers/bundle-fixture.js";
import { seededRandom } from "../helpers/chaos.js";
import { CRASH_WRITE_BACK, crashValue } from "./fixtures/crash-values.js";

const KILLS = Number(process.env.VICTOR_CRASH_KILLS ?? 200);
const WINDOW_ENTRIES = CRASH_WRITE_BACK.maxQueue + CRASH_WRITE_BACK.batchSize;
const root = mkdtempSync(join(tmpdir(), "victor-hardening-crash-"));
let child: BundledFixture;

beforeAll(async () => {
  // The writer never talks to Redis: without the client library each start is faster.
  child = await bundleFixture(join(import.meta.dirname, "fixtures", "crash-writer.ts"), {
    withoutRedis: true,
  });
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  child.remove();
});

interface Kill {
  /** The child was killed before it reported READY (while opening LMDB). */
  duringOpen: boolean;
  /** Highest seq acknowledged by set(), and when (child's epoch ms) each report came. */
  acked: { seq: number; at: number }[];
  /** Highest seq the child saw flushed. */
  durable: number;
  killedAt: number;
}

/** Starts the writer and kills it after `delayMs` (counted from READY unless `duringOpen`). */
function runAndKill(path: string, namespace: string, delayMs: number, duringOpen: boolean) {
  return new Promise<Kill>((resolve, reject) => {
    const proc = spawn(process.execPath, [child.file, path, namespace], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const report: Kill = { duringOpen, acked: [], durable: -1, killedAt: 0 };
    let stderr = "";
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      report.killedAt = Date.now();
      proc.kill("SIGKILL");
    };
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: proc.stdout }).on("line", (line) => {
      if (killed) return;
      const [kind, a, b] = line.split(" ");
      if (kind === "READY" && !duringOpen) setTimeout(kill, delayMs);
      if (kind === "SET") report.acked.push({ seq: Number(a), at: Number(b) });
      if (kind === "DURABLE") report.durable = Number(a);
    });
    if (duringOpen) setTimeout(kill, delayMs);
    proc.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(report);
      else reject(new Error(`writer exited on its own (${signal ?? code}): ${stderr}`));
    });
  });
}

describe("SIGKILL at random points", () => {
  it(
    `${KILLS} kills of a write-back writer: LMDB always opens, 0 torn entries, loss within the window`,
    { timeout: 60_000 + KILLS * 2_000 },
    async () => {
      const path = join(root, "store");
      const random = seededRandom(Number(process.env.VICTOR_SEED ?? 20240601));
      const lostPerKill: number[] = [];
      const oldestLostMs: number[] = [];
      let torn = 0;
      let opens = 0;
      let entries = 0;
      const started = performance.now();
      for (let kill = 0; kill < KILLS; kill++) {
        const namespace = `run${kill}`;
        // One kill in eight lands while the child is still opening the folder.
        const duringOpen = random() < 0.125;
        const delayMs = Math.floor(random() * (duringOpen ? 120 : 200));
        const report = await runAndKill(path, namespace, delayMs, duringOpen);

        const store = new LmdbStore({ path, sweepInterval: 0 });
        opens++;
        try {
          const present = new Set<number>();
          for await (const { key } of store.keys(namespace)) {
            const seq = Number(key.slice(1));
            const value = (await store.get(key, namespace))?.value;
            if (JSON.stringify(value) !== JSON.stringify(crashValue(seq))) torn++;
            present.add(seq);
          }
          entries += present.size;
          const top = present.size - 1;
          for (let seq = 0; seq <= top; seq++)
            expect(present.has(seq), `${namespace}: prefix`).toBe(true);
          expect(top, `${namespace}: every flushed entry is there`).toBeGreaterThanOrEqual(
            report.durable,
          );
          const lastAcked = report.acked.at(-1)?.seq ?? -1;
          const lost = Math.max(0, lastAcked - top);
          expect(lost, `${namespace}: acknowledged sets lost`).toBeLessThanOrEqual(WINDOW_ENTRIES);
          lostPerKill.push(lost);
          const firstLost = report.acked.find((a) => a.seq > top);
          if (firstLost !== undefined) oldestLostMs.push(report.killedAt - firstLost.at);
        } finally {
          await store.close();
        }
      }
      expect(torn).toBe(0);
      expect(opens).toBe(KILLS);
      const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
      const lost = sorted(lostPerKill);
      const ages = sorted(oldestLostMs);
      const q = (xs: number[], p: number) =>
        xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? 0;
      console.log(
        `crash: ${KILLS} SIGKILLs in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
          `LMDB opened ${opens}/${KILLS} times, ${entries} entries checked, ${torn} torn; ` +
          `acknowledged sets lost per kill: median ${q(lost, 0.5)}, max ${q(lost, 1)} (bound ${WINDOW_ENTRIES}); ` +
          `age of the oldest lost set at the kill: median ${q(ages, 0.5)} ms, p99 ${q(ages, 0.99)} ms, max ${q(ages, 1)} ms ` +
          `(write-back interval ${CRASH_WRITE_BACK.interval})`,
      );
    },
  );
});
