/**
 * LMDB tier: LmdbStore.get beside a raw lmdb-js `get` (msgpack encoding, the same value) wrapped
 * in an async function, on the same machine in the same run. The ratio is the whole cost of the
 * store on a hit: key composition, record header, checksum, expiry check, tags, the core codec.
 * Target: >= 0.5x (the L2-hit path target is measured against the same raw get).
 * Writes: LmdbStore.set (one abortable transaction with index upkeep per call) beside raw `put`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "lmdb";
import { LmdbStore } from "../src/stores/lmdb.js";
import { compareAsync, printRatios, sampleValue } from "./harness.js";

const KEYS = 1000;

export default async function lmdbBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "victor-lmdb-bench-"));
  const root = open({ path: join(dir, "raw"), noSubdir: false });
  const raw = root.openDB<Record<string, unknown>, string>({ name: "raw" });
  const store = new LmdbStore({ path: join(dir, "store"), sweepInterval: 0 });
  const capped = new LmdbStore({ path: join(dir, "capped"), sweepInterval: 0, maxSize: 100_000 });
  try {
    const keys = Array.from({ length: KEYS }, (_, i) => `key-${i}`);
    const rawKeys = keys.map((k) => `bench:${k}`);
    const values = Array.from({ length: KEYS }, (_, i) => sampleValue(i));
    for (let i = 0; i < KEYS; i++) {
      await raw.put(rawKeys[i], values[i]);
      await store.set(keys[i], "bench", { value: values[i], expiresAt: 0, tags: ["t"] });
      await capped.set(keys[i], "bench", { value: values[i], expiresAt: 0, tags: ["t"] });
    }
    const gets = await compareAsync([
      { name: "lmdb get (raw, async-wrapped)", op: async (i) => raw.get(rawKeys[i % KEYS]) },
      { name: "LmdbStore.get", op: (i) => store.get(keys[i % KEYS], "bench") },
      { name: "LmdbStore.get (maxSize set)", op: (i) => capped.get(keys[i % KEYS], "bench") },
    ]);
    printRatios("LMDB tier: get on a hit", gets, "lmdb get (raw, async-wrapped)");
    const sets = await compareAsync(
      [
        { name: "lmdb put (raw)", op: (i) => raw.put(rawKeys[i % KEYS], values[i % KEYS]) },
        {
          name: "LmdbStore.set",
          op: (i) => store.set(keys[i % KEYS], "bench", { value: values[i % KEYS], expiresAt: 0 }),
        },
      ],
      5_000,
      50,
    );
    printRatios("LMDB tier: set, 50 concurrent callers", sets, "lmdb put (raw)");
  } finally {
    await store.close();
    await capped.close();
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
