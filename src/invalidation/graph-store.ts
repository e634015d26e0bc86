/**
 * The dependency graph's persisted copy in the cache's L2: one record per edge in the reserved
 * namespace `__victor_deps`, keyed by a hash of its two node ids, so that adding or removing an
 * edge writes one small record (never a blob of the whole graph) and a restart reads them back.
 *
 * Changes are coalesced per record (the latest wins) and written in batches; `flush()` resolves
 * once everything changed before the call is in L2. A failed write is reported and retried with
 * the next flush, unless a later change of the same edge superseded it.
 */
import { createHash } from "node:crypto";
import type { CacheStore, StoreEntry } from "../stores/store.js";
import type { GraphListener } from "./graph.js";

/** The L2 namespace holding the dependency graph; the invalidator never treats it as entries. */
export const DEPENDENCY_NAMESPACE = "__victor_deps";

/** One persisted edge: `f` depends on `t`, with the file stamp `s` when `t` is a file. */
export interface EdgeRecord {
  f: string;
  t: string;
  s?: string;
}

const WRITE_BATCH = 500;
const DELETE_CONCURRENCY = 64;

function recordKey(from: string, to: string): string {
  return createHash("sha256").update(from).update("\u0000").update(to).digest("base64url");
}

function isEdgeRecord(value: unknown): value is EdgeRecord {
  if (value === null || typeof value !== "object") return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.f === "string" &&
    typeof record.t === "string" &&
    (record.s === undefined || typeof record.s === "string")
  );
}

export class GraphStore implements GraphListener {
  /** Record key -> the record to write, or null to delete it. */
  private pending = new Map<string, EdgeRecord | null>();
  private failed = new Map<string, EdgeRecord | null>();
  private running: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly store: CacheStore,
    private readonly onError: (operation: string, error: unknown) => void,
  ) {}

  edgeAdded(from: string, to: string, stamp: string | undefined): void {
    const record: EdgeRecord = { f: from, t: to };
    if (stamp !== undefined) record.s = stamp;
    this.pending.set(recordKey(from, to), record);
    this.schedule();
  }

  edgeRemoved(from: string, to: string): void {
    this.pending.set(recordKey(from, to), null);
    this.schedule();
  }

  /** Changes not yet written. */
  get backlog(): number {
    return this.pending.size + this.failed.size;
  }

  /** Writes every change made so far (and retries failed ones). */
  flush(): Promise<void> {
    for (const [key, record] of this.failed)
      if (!this.pending.has(key)) this.pending.set(key, record);
    this.failed.clear();
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Every persisted edge. Records that are not edges (damaged, foreign) are skipped. */
  async load(): Promise<EdgeRecord[]> {
    const keys: string[] = [];
    for await (const { key } of this.store.keys(DEPENDENCY_NAMESPACE)) keys.push(key);
    const records: EdgeRecord[] = [];
    for (let i = 0; i < keys.length; i += WRITE_BATCH) {
      const entries = await this.store.getMany(
        keys.slice(i, i + WRITE_BATCH),
        DEPENDENCY_NAMESPACE,
      );
      for (const entry of entries) if (isEdgeRecord(entry?.value)) records.push(entry.value);
    }
    return records;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush().catch((error: unknown) => this.onError("dependencies.persist", error));
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
      await this.write(batch);
    }
  }

  private async write(batch: Map<string, EdgeRecord | null>): Promise<void> {
    const sets: [string, StoreEntry][] = [];
    const deletes: string[] = [];
    for (const [key, record] of batch) {
      if (record === null) deletes.push(key);
      else sets.push([key, { value: record, expiresAt: 0 }]);
    }
    for (let i = 0; i < sets.length; i += WRITE_BATCH) {
      const chunk = sets.slice(i, i + WRITE_BATCH);
      try {
        await this.store.setMany(chunk, DEPENDENCY_NAMESPACE);
      } catch (error) {
        this.retryLater(
          chunk.map(([key]) => key),
          batch,
        );
        this.onError("dependencies.persist", error);
      }
    }
    for (let i = 0; i < deletes.length; i += DELETE_CONCURRENCY) {
      const chunk = deletes.slice(i, i + DELETE_CONCURRENCY);
      const results = await Promise.allSettled(
        chunk.map((key) => this.store.delete(key, DEPENDENCY_NAMESPACE)),
      );
      const failedKeys = chunk.filter((_, k) => results[k].status === "rejected");
      if (failedKeys.length > 0) {
        this.retryLater(failedKeys, batch);
        this.onError(
          "dependencies.persist",
          (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason,
        );
      }
    }
  }

  private retryLater(keys: readonly string[], batch: Map<string, EdgeRecord | null>): void {
    for (const key of keys) if (!this.pending.has(key)) this.failed.set(key, batch.get(key)!);
  }
}
