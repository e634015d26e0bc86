import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";

/** Least recently used: a doubly linked list over slots; every operation O(1). */
export class LruPolicy implements EvictionPolicyImpl {
  readonly name = "lru" as const;
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
  access(slot: number): void {
    this.list.moveToHead(slot);
  }
  update(slot: number): void {
    this.list.moveToHead(slot);
  }
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
