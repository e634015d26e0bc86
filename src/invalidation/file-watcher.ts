/**
 * File events through chokidar 4, debounced per path: each add, change or unlink of a path
 * restarts its timer, and `onSettled(path)` runs once the path has been quiet for `debounceMs`.
 * A rename arrives as an unlink of the old path and an add of the new one; a deleted folder as
 * unlinks of the files in it.
 */
import { resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";

export class DebouncedWatcher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly watcher: FSWatcher;
  private readonly ready: Promise<void>;
  private closed = false;

  constructor(
    paths: readonly string[],
    private readonly debounceMs: number,
    private readonly onSettled: (absolutePath: string) => void,
    onError: (error: unknown) => void,
  ) {
    // chokidar's own `atomic` handling holds every unlink back 100 ms to spot an editor's
    // delete-and-rewrite; the per-path debounce and the content hash already cover that.
    this.watcher = watch([...paths], { ignoreInitial: true, persistent: true, atomic: false });
    this.ready = new Promise((done) => this.watcher.once("ready", () => done()));
    for (const event of ["add", "change", "unlink"] as const) {
      this.watcher.on(event, (path: string) => this.touched(resolve(path)));
    }
    this.watcher.on("error", onError);
  }

  /** Resolves once the initial scan is done and events are being reported. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  add(paths: readonly string[]): void {
    this.watcher.add([...paths]);
  }

  unwatch(paths: readonly string[]): void {
    this.watcher.unwatch([...paths]);
  }

  /** Paths (files and folders) being watched. */
  watchedCount(): number {
    let count = 0;
    for (const entries of Object.values(this.watcher.getWatched())) count += entries.length;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.watcher.close();
  }

  private touched(path: string): void {
    if (this.closed) return;
    const previous = this.timers.get(path);
    if (previous !== undefined) clearTimeout(previous);
    this.timers.set(
      path,
      setTimeout(() => {
        this.timers.delete(path);
        if (!this.closed) this.onSettled(path);
      }, this.debounceMs),
    );
  }
}
