import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";

/**
 * First in, first out: the victim is the oldest insertion. Hits and updates do not move an entry,
 * so a hit costs nothing at all; every operation O(1).
 */
export class FifoPolicy implements EvictionPolicyImpl {
  readonly name = "fifo" as const;
  readonly usesKeyHash = false;
  private readonly list: SlotList;

  constructor(options: EvictionPolicyOptions) {
    this.list = new SlotList(options.capacity + 1);
  }

  get size(): number {
    return this.list.size;
  }
  insert(slot: number): void {
    this.list.pushHead(slot);
  }
  access(): void {}
  update(): void {}
  miss(): void {}
  remove(slot: number): void {
    this.list.unlink(slot);
  }
  evict(): number {
    return this.list.popTail();
  }
  clear(): void {
    this.list.clear();
  }
}
