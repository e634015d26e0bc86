/**
 * An intrusive doubly linked list of slots in two Int32Arrays: no node objects, no allocation
 * after construction. Head is most recent; tail is the eviction end. Several policies (LRU, FIFO,
 * the segments of W-TinyLFU, S3-FIFO's queues) are built from it.
 */
export class SlotList {
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private head = -1;
  private tail = -1;
  size = 0;

  constructor(slots: number) {
    this.next = new Int32Array(slots).fill(-1);
    this.prev = new Int32Array(slots).fill(-1);
  }

  /** Most recently pushed slot, or -1. */
  get first(): number {
    return this.head;
  }
  /** Oldest slot, or -1. */
  get last(): number {
    return this.tail;
  }
  /** The slot after `slot` towards the tail, or -1. */
  nextOf(slot: number): number {
    return this.next[slot];
  }
  /** The slot before `slot` towards the head, or -1. */
  prevOf(slot: number): number {
    return this.prev[slot];
  }

  pushHead(slot: number): void {
    this.prev[slot] = -1;
    this.next[slot] = this.head;
    if (this.head !== -1) this.prev[this.head] = slot;
    else this.tail = slot;
    this.head = slot;
    this.size++;
  }

  unlink(slot: number): void {
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p !== -1) this.next[p] = n;
    else this.head = n;
    if (n !== -1) this.prev[n] = p;
    else this.tail = p;
    this.prev[slot] = -1;
    this.next[slot] = -1;
    this.size--;
  }

  moveToHead(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.pushHead(slot);
  }

  /** Removes and returns the tail slot; -1 when empty. */
  popTail(): number {
    const slot = this.tail;
    if (slot !== -1) this.unlink(slot);
    return slot;
  }

  clear(): void {
    this.next.fill(-1);
    this.prev.fill(-1);
    this.head = this.tail = -1;
    this.size = 0;
  }
}
