import { GhostQueue } from "./ghost-queue.js";
import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";

const NONE = 0;
const SMALL = 1;
const MAIN = 2;

/** Share of the cache given to the small (probationary) queue; the paper's 10 %. */
const SMALL_SHARE = 0.1;
/** The 2-bit frequency saturates here. */
const MAX_FREQUENCY = 3;
/**
 * Hits an entry needs while in the small queue to be moved to main rather than evicted. The
 * paper's text says "accessed at least once"; libCacheSim's current default is 2.
 */
const PROMOTE_FREQUENCY = 1;

/**
 * S3-FIFO (Yang et al., SOSP'23): three FIFO queues. New keys enter a small queue (10 %); on its
 * eviction an entry hit there moves to the main queue, others leave a ghost (hash only). A key
 * whose ghost is still remembered skips straight to main. Main is a FIFO with reinsertion: an
 * entry with frequency > 0 goes back to the head with one frequency less. Hits only bump a
 * 2-bit counter, so reads never move list nodes.
 */
export class S3FifoPolicy implements EvictionPolicyImpl {
  readonly name = "s3fifo" as const;
  readonly usesKeyHash = true;
  private readonly small: SlotList;
  private readonly main: SlotList;
  private readonly ghost: GhostQueue;
  private readonly region: Uint8Array;
  private readonly frequency: Uint8Array;
  private readonly hashes: Int32Array;
  private readonly smallMax: number;
  private readonly mainMax: number;

  constructor(options: EvictionPolicyOptions) {
    const slots = options.capacity + 1;
    this.small = new SlotList(slots);
    this.main = new SlotList(slots);
    this.region = new Uint8Array(slots);
    this.frequency = new Uint8Array(slots);
    this.hashes = new Int32Array(slots);
    this.smallMax = Math.max(1, Math.round(options.capacity * SMALL_SHARE));
    this.mainMax = options.capacity - this.smallMax;
    // The ghost queue remembers as many keys as main holds, as in the paper.
    this.ghost = new GhostQueue(Math.max(1, this.mainMax));
  }

  get size(): number {
    return this.small.size + this.main.size;
  }

  insert(slot: number, hash: number): void {
    this.hashes[slot] = hash;
    this.frequency[slot] = 0;
    if (this.ghost.take(hash)) {
      this.region[slot] = MAIN;
      this.main.pushHead(slot);
    } else {
      this.region[slot] = SMALL;
      this.small.pushHead(slot);
    }
  }

  access(slot: number): void {
    if (this.frequency[slot] < MAX_FREQUENCY) this.frequency[slot]++;
  }

  update(slot: number): void {
    this.access(slot);
  }

  miss(): void {}

  remove(slot: number): void {
    (this.region[slot] === SMALL ? this.small : this.main).unlink(slot);
    this.region[slot] = NONE;
  }

  evict(): number {
    if (this.small.size >= this.smallMax || this.main.size === 0) {
      while (this.small.size > 0) {
        const tail = this.small.popTail();
        if (this.frequency[tail] < PROMOTE_FREQUENCY) {
          this.ghost.add(this.hashes[tail]);
          this.region[tail] = NONE;
          return tail;
        }
        this.frequency[tail] = 0;
        this.region[tail] = MAIN;
        this.main.pushHead(tail);
        // The paper evicts from main as soon as a promotion overfills it.
        if (this.main.size > this.mainMax) break;
      }
    }
    return this.evictMain();
  }

  clear(): void {
    this.small.clear();
    this.main.clear();
    this.ghost.clear();
    this.region.fill(NONE);
  }

  /** Main's 2-bit CLOCK: recycles entries with frequency left (one less each time). */
  private evictMain(): number {
    for (;;) {
      const tail = this.main.popTail();
      if (this.frequency[tail] === 0) {
        this.region[tail] = NONE;
        return tail;
      }
      this.frequency[tail]--;
      this.main.pushHead(tail);
    }
  }
}
