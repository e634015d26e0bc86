/**
 * File stamps: the sha256 of a file's content, recorded on each edge to the file, so that a
 * change is decided by content rather than by a timestamp (a touch, or an edit undone, changes
 * nothing). A missing file (deleted, renamed away) has the stamp `MISSING_STAMP`, and anything
 * that is not a readable regular file has `UNREADABLE_STAMP`.
 *
 * Hashes are remembered per path with the file's identity (inode, size, mtime and ctime in
 * nanoseconds), so stamping many dependencies on one file reads it once; any write changes ctime,
 * so a remembered hash is never reused for changed content.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

export const MISSING_STAMP = "missing";
export const UNREADABLE_STAMP = "unreadable";

interface Remembered {
  identity: string;
  stamp: string;
}

/** Most paths whose hash is remembered; beyond it the oldest are forgotten. */
const MAX_REMEMBERED = 10_000;

export class FileStamps {
  private readonly remembered = new Map<string, Remembered>();
  /** Hashes being computed, shared by concurrent callers of one path. */
  private readonly inflight = new Map<string, Promise<string>>();

  /** The current stamp of an absolute path. */
  stamp(path: string): Promise<string> {
    let running = this.inflight.get(path);
    if (running === undefined) {
      running = this.compute(path).finally(() => this.inflight.delete(path));
      this.inflight.set(path, running);
    }
    return running;
  }

  /** Forgets remembered hashes (after a watcher event the next stamp re-reads the file). */
  forget(path: string): void {
    this.remembered.delete(path);
  }

  private async compute(path: string): Promise<string> {
    let identity: string;
    try {
      const info = await stat(path, { bigint: true });
      if (!info.isFile()) return UNREADABLE_STAMP;
      identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    } catch (error) {
      return stampOfError(error);
    }
    const known = this.remembered.get(path);
    if (known !== undefined && known.identity === identity) return known.stamp;
    let stamp: string;
    try {
      stamp = await hashFile(path);
    } catch (error) {
      return stampOfError(error);
    }
    this.remembered.delete(path);
    this.remembered.set(path, { identity, stamp });
    if (this.remembered.size > MAX_REMEMBERED) {
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
    return stamp;
  }
}

function stampOfError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" ? MISSING_STAMP : UNREADABLE_STAMP;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}
