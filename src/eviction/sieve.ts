import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";

/**
 * SIEVE (Zhang et al., NSDI'24): one FIFO queue, a visited bit per entry and a hand. A hit only
 * sets the bit. Eviction moves the hand from the old end towards the new end, clearing set bits,
 * and evicts the first unvisited entry; survivors keep their place, so new entries are judged
 * quickly while proven ones stay (lazy promotion, quick demotion).
 */
export class SievePolicy implements EvictionPolicyImpl {
  readonly name = "sieve" as const;
  readonly usesKeyHash = false;
  private readonly queue: SlotList;
  private readonly visited: Uint8Array;
  /** Next slot the hand examines; -1 = start again from the oldest entry. */
  private hand = -1;

  constructor(options: EvictionPolicyOptions) {
    this.queue = new SlotList(options.capacity + 1);
    this.visited = new Uint8Array(options.capacity + 1);
  }

  get size(): number {
    return this.queue.size;
  }

  insert(slot: number): void {
    this.visited[slot] = 0;
    this.queue.pushHead(slot);
  }

  access(slot: number): void {
    this.visited[slot] = 1;
  }

  update(slot: number): void {
    this.visited[slot] = 1;
  }

  miss(): void {}

  remove(slot: number): void {
    if (slot === this.hand) this.hand = this.queue.prevOf(slot);
    this.queue.unlink(slot);
  }

  evict(): number {
    const queue = this.queue;
    let slot = this.hand === -1 ? queue.last : this.hand;
    while (this.visited[slot] === 1) {
      this.visited[slot] = 0;
      slot = queue.prevOf(slot);
      if (slot === -1) slot = queue.last;
    }
    this.hand = queue.prevOf(slot);
    queue.unlink(slot);
    return slot;
  }

  clear(): void {
    this.queue.clear();
    this.visited.fill(0);
    this.hand = -1;
  }
}
