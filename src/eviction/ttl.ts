import type { EvictionPolicyImpl, EvictionPolicyOptions } from "./policy.js";
import { SlotList } from "./slot-list.js";

const NONE = -1;

/**
 * Evicts the entry that expires soonest: when the cache is full, the entry with the least time left
 * is the one worth least, and freeing it early loses at most that time.
 *
 * Entries with an expiry sit in a binary min-heap over slots, keyed by (`expiresAt`, write order):
 * equal expiry times go oldest write first (insert or update). A position index (slot -> heap
 * index) lets update and remove reach any slot. Entries that never expire (`expiresAt` 0) are
 * evicted only when no expiring entry is left, least recently used first, from an LRU list beside
 * the heap: that keeps a policy with no TTLs at all as good as LRU rather than FIFO.
 *
 * Cost: insert, update, remove and evict are O(log n) for expiring entries and O(1) for the others;
 * a hit is O(1) (it only reorders never-expiring entries). Nothing allocates after construction.
 */
export class TtlPolicy implements EvictionPolicyImpl {
  readonly name = "ttl" as const;
  readonly usesKeyHash = false;

  /** Slots in heap order, `heapSize` of them. */
  private readonly heap: Int32Array;
  private heapSize = 0;
  /** Per slot: its heap index, or NONE when it is on the never-expiring list (or not live). */
  private readonly position: Int32Array;
  private readonly expiresAt: Float64Array;
  /** Per slot: write order, the tie-break between equal expiry times. */
  private readonly written: Float64Array;
  private writes = 0;
  private readonly neverExpiring: SlotList;

  constructor(options: EvictionPolicyOptions) {
    const slots = options.capacity + 1;
    this.heap = new Int32Array(slots);
    this.position = new Int32Array(slots).fill(NONE);
    this.expiresAt = new Float64Array(slots);
    this.written = new Float64Array(slots);
    this.neverExpiring = new SlotList(slots);
  }

  get size(): number {
    return this.heapSize + this.neverExpiring.size;
  }

  insert(slot: number, _hash: number, expiresAt: number): void {
    if (expiresAt > 0) this.heapInsert(slot, expiresAt);
    else this.neverExpiring.pushHead(slot);
  }

  access(slot: number): void {
    if (this.position[slot] === NONE) this.neverExpiring.moveToHead(slot);
  }

  update(slot: number, expiresAt: number): void {
    const index = this.position[slot];
    if (index === NONE) {
      if (expiresAt > 0) {
        this.neverExpiring.unlink(slot);
        this.heapInsert(slot, expiresAt);
      } else {
        this.neverExpiring.moveToHead(slot);
      }
    } else if (expiresAt > 0) {
      this.expiresAt[slot] = expiresAt;
      this.written[slot] = ++this.writes;
      this.siftDown(this.siftUp(index));
    } else {
      this.heapRemoveAt(index);
      this.neverExpiring.pushHead(slot);
    }
  }

  miss(): void {}

  remove(slot: number): void {
    const index = this.position[slot];
    if (index === NONE) this.neverExpiring.unlink(slot);
    else this.heapRemoveAt(index);
  }

  evict(): number {
    if (this.heapSize === 0) return this.neverExpiring.popTail();
    const slot = this.heap[0];
    this.heapRemoveAt(0);
    return slot;
  }

  clear(): void {
    this.position.fill(NONE);
    this.heapSize = 0;
    this.neverExpiring.clear();
  }

  private heapInsert(slot: number, expiresAt: number): void {
    this.expiresAt[slot] = expiresAt;
    this.written[slot] = ++this.writes;
    const index = this.heapSize++;
    this.heap[index] = slot;
    this.position[slot] = index;
    this.siftUp(index);
  }

  private heapRemoveAt(index: number): void {
    const slot = this.heap[index];
    this.position[slot] = NONE;
    const lastIndex = --this.heapSize;
    if (index === lastIndex) return;
    const moved = this.heap[lastIndex];
    this.heap[index] = moved;
    this.position[moved] = index;
    this.siftDown(this.siftUp(index));
  }

  /** True when slot `a` must leave before slot `b`. */
  private before(a: number, b: number): boolean {
    const ea = this.expiresAt[a];
    const eb = this.expiresAt[b];
    return ea < eb || (ea === eb && this.written[a] < this.written[b]);
  }

  /** Moves the slot at `index` up while it beats its parent; returns its final index. */
  private siftUp(index: number): number {
    const { heap, position } = this;
    const slot = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (!this.before(slot, parent)) break;
      heap[index] = parent;
      position[parent] = index;
      index = parentIndex;
    }
    heap[index] = slot;
    position[slot] = index;
    return index;
  }

  private siftDown(index: number): void {
    const { heap, position } = this;
    const slot = heap[index];
    const size = this.heapSize;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.before(heap[right], heap[left]) ? right : left;
      if (!this.before(heap[child], slot)) break;
      heap[index] = heap[child];
      position[heap[index]] = index;
      index = child;
    }
    heap[index] = slot;
    position[slot] = index;
  }
}
