/**
 * File dependencies in motion: a watched path that settles after its debounce, or a check at
 * start-up, hashes the file and compares the hash with the stamp recorded on each dependency of
 * it. The dependents whose stamp differs are invalidated, with everything depending on them; the
 * others keep their edges (an entry whose dependency was added after the change is current).
 * A touch, or an edit undone within the debounce, changes no hash and invalidates nothing.
 */
import { resolve, sep } from "node:path";
import { CacheConfigError } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import type { FileStamps } from "./file-stamps.js";
import { DebouncedWatcher } from "./file-watcher.js";
import type { DependencyGraph } from "./graph.js";
import { positiveMillis, type ResolvedInvalidatorOptions } from "./options.js";
import { fileId } from "./targets.js";
import type { CacheInvalidatorEvents, CacheInvalidatorStats, InvalidationKind } from "./types.js";

/** Files hashed at once by a check of many files. */
const CHECK_CONCURRENCY = 8;

export interface FileHost {
  readonly graph: DependencyGraph | undefined;
  readonly options: Readonly<ResolvedInvalidatorOptions>;
  readonly events: TypedEmitter<CacheInvalidatorEvents>;
  collectExpired(): void;
  cascade(
    reached: readonly string[],
    roots: readonly string[],
    kind: InvalidationKind | undefined,
    target: string,
  ): Promise<number>;
}

export class FileWatching {
  private watcher: DebouncedWatcher | undefined;
  private debounceMs = 0;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly host: FileHost,
    private readonly stamps: FileStamps,
    private readonly stats: CacheInvalidatorStats["files"],
  ) {}

  get busy(): boolean {
    return this.running.size > 0;
  }

  async watch(paths: readonly string[], debounce: number | string | undefined): Promise<void> {
    if (!Array.isArray(paths) || paths.length === 0) {
      throw new CacheConfigError(
        "watchFiles.paths",
        "expected a path or a non-empty array of paths",
      );
    }
    paths.forEach((path, i) => {
      if (typeof path !== "string" || path === "")
        throw new CacheConfigError(`watchFiles.paths[${i}]`, "expected a non-empty path");
    });
    const debounceMs =
      debounce === undefined
        ? this.host.options.debounceMs
        : positiveMillis(debounce, 0, "watchFiles.debounce");
    if (this.watcher === undefined) {
      this.debounceMs = debounceMs;
      this.watcher = new DebouncedWatcher(
        paths,
        debounceMs,
        (path) => void this.track(this.changed(path, true)),
        (error) => this.host.events.emit("error", { operation: "watchFiles", error }),
      );
      await this.watcher.whenReady();
    } else {
      if (debounceMs !== this.debounceMs) {
        throw new CacheConfigError(
          "watchFiles.debounce",
          `already watching with a debounce of ${this.debounceMs} ms; unwatch() everything first`,
        );
      }
      this.watcher.add(paths);
    }
    // What changed before the watcher saw it (between addDependency and now) is caught here.
    const roots = paths.map((path) => resolve(path));
    const within = (file: string): boolean =>
      roots.some(
        (root) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep),
      );
    await this.check(this.host.graph!.files().filter(within));
  }

  async unwatch(paths: readonly string[] | undefined): Promise<void> {
    if (this.watcher === undefined) return;
    if (paths === undefined) {
      const watcher = this.watcher;
      this.watcher = undefined;
      await watcher.close();
    } else {
      this.watcher.unwatch(paths);
    }
  }

  watchedCount(): number {
    return this.watcher?.watchedCount() ?? 0;
  }

  /** Checks every file the graph depends on; resolves to the live entries removed. */
  checkAll(): Promise<number> {
    return this.check(this.host.graph!.files());
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async close(): Promise<void> {
    await this.unwatch(undefined);
  }

  private async check(paths: readonly string[]): Promise<number> {
    let removed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) removed += await this.changed(paths[next++], false);
    };
    const workers: Promise<void>[] = [];
    for (let i = 0; i < Math.min(CHECK_CONCURRENCY, paths.length); i++) workers.push(worker());
    await Promise.all(workers);
    return removed;
  }

  private track(work: Promise<number>): Promise<number> {
    this.running.add(work);
    void work
      .catch((error: unknown) => this.host.events.emit("error", { operation: "watchFiles", error }))
      .finally(() => this.running.delete(work));
    return work;
  }

  /** Compares `path` with its dependencies' stamps; resolves to the live entries removed. */
  private async changed(path: string, fromWatcher: boolean): Promise<number> {
    const graph = this.host.graph!;
    const id = fileId(path);
    if (!graph.has(id)) return 0;
    if (fromWatcher) this.stamps.forget(path);
    const stamp = await this.stamps.stamp(path);
    this.host.collectExpired();
    const stale = graph.staleDependents(id, stamp);
    if (stale.length === 0) {
      this.stats.unchanged++;
      this.emit(path, false, 0);
      return 0;
    }
    this.stats.changed++;
    const removed = await this.host.cascade(graph.invalidate(stale), [], "file", path);
    this.emit(path, true, removed);
    return removed;
  }

  private emit(path: string, changed: boolean, invalidated: number): void {
    if (this.host.events.hasListeners("fileChange"))
      this.host.events.emit("fileChange", { path, changed, invalidated });
  }
}
