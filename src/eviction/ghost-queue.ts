import { mix32 } from "./hash.js";

/** Cells per bucket: a key's ghost lives in one of these four cells of its bucket. */
const WAYS = 4;
/** Int32 words per cell: the key hash, then the clock value when it was added. */
const CELL = 2;
const BUCKET = WAYS * CELL;

/**
 * A memory of keys that recently left a cache, held as hashes only (S3-FIFO's ghost queue, and
 * the regret signals of W-TinyLFU's window tuner).
 *
 * A true FIFO of hashes needs a hash table with deletions beside it. Instead each ghost records
 * the clock when it was added in a bucketed table, and counts as present while its age is below
 * `capacity`: with the clock advancing once per ghost added, that is exactly membership in a
 * FIFO of `capacity` ghosts (the layout the S3-FIFO authors suggest). A full bucket overwrites
 * its oldest cell, which only forgets a ghost early. A bucket is 32 bytes, so a lookup touches
 * one cache line; nothing allocates after construction. Ages are computed modulo 2^32, which is
 * exact for any capacity below 2^31.
 */
export class GhostQueue {
  /** How many steps a ghost lives: ghosts added after it, plus {@link tick} calls. */
  readonly capacity: number;
  /** Per cell: hash, stamp. */
  private readonly cells: Int32Array;
  private readonly bucketMask: number;
  private clock = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, Math.min(capacity, 0x3fffffff));
    let buckets = 1;
    // Twice as many cells as ghosts keeps early overwrites rare.
    while (buckets * WAYS < 2 * this.capacity) buckets *= 2;
    this.cells = new Int32Array(buckets * BUCKET);
    this.bucketMask = buckets - 1;
    this.clear();
  }

  /** Ages every ghost by one step without adding one (for ages that count other events too). */
  tick(): void {
    this.clock = (this.clock + 1) | 0;
  }

  /** Remembers a key's hash as the newest ghost (one step of age for all the others). */
  add(hash: number): void {
    const cells = this.cells;
    const key = hash | 0;
    const clock = (this.clock = (this.clock + 1) | 0);
    const base = this.bucketOf(key);
    let target = base;
    let oldest = -1;
    for (let cell = base; cell < base + BUCKET; cell += CELL) {
      if (cells[cell] === key) {
        target = cell;
        break;
      }
      const age = (clock - cells[cell + 1]) >>> 0;
      if (age > oldest) {
        oldest = age;
        target = cell;
      }
    }
    cells[target] = key;
    cells[target + 1] = clock;
  }

  /** True (and the ghost is forgotten) when the hash is among the live ghosts. */
  take(hash: number): boolean {
    const cells = this.cells;
    const key = hash | 0;
    const base = this.bucketOf(key);
    for (let cell = base; cell < base + BUCKET; cell += CELL) {
      if (cells[cell] === key && (this.clock - cells[cell + 1]) >>> 0 < this.capacity) {
        cells[cell + 1] = this.deadStamp();
        return true;
      }
    }
    return false;
  }

  clear(): void {
    this.clock = 0;
    const dead = this.deadStamp();
    for (let cell = 0; cell < this.cells.length; cell += CELL) {
      this.cells[cell] = 0;
      this.cells[cell + 1] = dead;
    }
  }

  /** A stamp whose age is past `capacity` now (and stays past it for about 2^32 steps). */
  private deadStamp(): number {
    return (this.clock - this.capacity - 1) | 0;
  }

  private bucketOf(key: number): number {
    // Remixed so that the bucket does not reuse the bits the caller's own tables index by.
    return (mix32(key ^ 0x3c6ef372) & this.bucketMask) * BUCKET;
  }
}
