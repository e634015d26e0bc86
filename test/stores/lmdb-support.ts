/** Temp folders and raw LMDB access for the LmdbStore tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open, type RootDatabase } from "lmdb";
import { composeKey } from "../../src/core/keys.js";
import { DB_NAMES, type BinaryDb } from "../../src/stores/lmdb-tables.js";

const made: string[] = [];

/** A fresh temp folder, removed (with anything moved aside next to it) by {@link removeTempDirs}. */
export function tempDir(): string {
  const parent = mkdtempSync(join(tmpdir(), "victor-lmdb-"));
  made.push(parent);
  return join(parent, "store");
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Opens a store's folder with plain lmdb-js, bypassing LmdbStore, to inspect or damage it. */
export function rawOpen(dir: string): {
  root: RootDatabase;
  db(name: keyof typeof DB_NAMES): BinaryDb;
} {
  const root = open({ path: dir, noSubdir: false, maxDbs: 12 });
  return {
    root,
    db: (name) =>
      root.openDB<Buffer, Buffer>({
        name: DB_NAMES[name],
        encoding: "binary",
        keyEncoding: "binary",
      }),
  };
}

/** The LMDB key of a short (namespace, key) pair. */
export function entryKey(namespace: string, key: string): Buffer {
  return Buffer.from(composeKey(namespace, key), "utf8");
}
