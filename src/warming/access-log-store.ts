/**
 * Saves the access log in L2 and reads it back, so that a restarted process warms from what the
 * previous one learned. The log goes to the reserved namespace {@link WARMING_NAMESPACE} as chunks
 * of {@link CHUNK_ROWS} rows under a fresh generation, then a meta entry pointing at that
 * generation, then the previous generation's chunks are removed: a reader sees either the old or
 * the new log, never half of one, and a crash mid-save leaves only orphan chunks, which expire.
 */
import type { CacheStore, StoreEntry } from "../stores/store.js";
import type { AccessLogSnapshot, AccessRow } from "./access-log.js";

/** The L2 namespace the warmer keeps its access log in. */
export const WARMING_NAMESPACE = "__victor_warming";
/** Rows per L2 entry: ~150 KB each, well inside Redis's and LMDB's value limits. */
export const CHUNK_ROWS = 500;
/** Saved logs expire if no process saves them again for this long. */
const SAVED_TTL_MS = 30 * 86_400_000;

interface SavedMeta {
  version: 1;
  generation: string;
  chunks: number;
  landmark: number;
  halfLifeMs: number;
}

function chunkKey(name: string, generation: string, index: number): string {
  return `${name}:${generation}:${index}`;
}

function readMeta(entry: StoreEntry | undefined): SavedMeta | undefined {
  const meta = entry?.value as Partial<SavedMeta> | undefined;
  if (
    meta?.version !== 1 ||
    typeof meta.generation !== "string" ||
    typeof meta.chunks !== "number" ||
    typeof meta.landmark !== "number" ||
    typeof meta.halfLifeMs !== "number"
  ) {
    return undefined;
  }
  return meta as SavedMeta;
}

export async function saveAccessLog(
  l2: CacheStore,
  name: string,
  snapshot: AccessLogSnapshot,
  now: number,
): Promise<void> {
  const previous = readMeta(await l2.get(`${name}:meta`, WARMING_NAMESPACE));
  const generation = now.toString(36) + Math.random().toString(36).slice(2, 8);
  const expiresAt = now + SAVED_TTL_MS;
  const chunks: [string, StoreEntry][] = [];
  for (let i = 0; i * CHUNK_ROWS < snapshot.rows.length; i++) {
    const rows = snapshot.rows.slice(i * CHUNK_ROWS, (i + 1) * CHUNK_ROWS);
    chunks.push([chunkKey(name, generation, i), { value: rows, expiresAt }]);
  }
  if (chunks.length > 0) await l2.setMany(chunks, WARMING_NAMESPACE);
  const meta: SavedMeta = {
    version: 1,
    generation,
    chunks: chunks.length,
    landmark: snapshot.landmark,
    halfLifeMs: snapshot.halfLifeMs,
  };
  await l2.set(`${name}:meta`, WARMING_NAMESPACE, { value: meta, expiresAt });
  if (previous !== undefined && previous.generation !== generation) {
    for (let i = 0; i < previous.chunks; i++) {
      await l2.delete(chunkKey(name, previous.generation, i), WARMING_NAMESPACE);
    }
  }
}

/** The saved log, or undefined when none is saved; chunks that are gone are left out. */
export async function loadAccessLog(
  l2: CacheStore,
  name: string,
): Promise<AccessLogSnapshot | undefined> {
  const meta = readMeta(await l2.get(`${name}:meta`, WARMING_NAMESPACE));
  if (meta === undefined) return undefined;
  const keys = Array.from({ length: meta.chunks }, (_, i) => chunkKey(name, meta.generation, i));
  const entries = keys.length === 0 ? [] : await l2.getMany(keys, WARMING_NAMESPACE);
  const rows: AccessRow[] = [];
  for (const entry of entries) {
    if (Array.isArray(entry?.value)) rows.push(...(entry.value as AccessRow[]));
  }
  return { landmark: meta.landmark, halfLifeMs: meta.halfLifeMs, rows };
}
