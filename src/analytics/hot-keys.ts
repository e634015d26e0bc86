/** One frequently read key. */
export interface HotKey {
  key: string;
  namespace: string;
  /** Estimated reads within the last `hotKeyWindow` reads. */
  count: number;
  /** `count` / reads in the window, 0..1. */
  share: number;
}

/**
 * The most read keys over (about) the last `window` reads, in `capacity` counters.
 *
 * Space-Saving (Metwally, Agrawal, El Abbadi, 2005) over tumbling windows: each counter holds a
 * key with its count in the current window (`cur`) and its final count in the previous window
 * (`prev`). A read of a held key bumps `cur`; a new key takes over the counter with the smallest
 * `(cur, prev)` and inherits its `cur` as error, so current counts overestimate by at most
 * `window / capacity`, any key above that is guaranteed to be held, and with at least as many
 * counters as distinct keys in two windows every count is exact. When `window` reads have been
 * counted, every `cur` becomes `prev` and counting starts again: the keys stay in place, so a
 * window turning over costs one pass over the counters and no Map churn.
 *
 * A key's count over the last `window` reads is estimated as
 * `cur + prev × (window − seen) / window`, the previous window weighted by how much of it still
 * lies inside the sliding window (the estimate sliding-window rate limiters use); right after a
 * turn that is exactly the last `window` reads.
 */
export class HotKeyTracker {
  private readonly index = new Map<string, Map<string, number>>();
  private readonly keys: string[];
  private readonly namespaces: string[];
  private readonly cur: Float64Array;
  private readonly prev: Float64Array;
  private readonly error: Float64Array;
  /** Min-heap of slots by (cur, prev): the root is the next counter to take over. */
  private readonly heap: Int32Array;
  private readonly heapPos: Int32Array;
  private size = 0;
  private seen = 0;
  private hasPrevious = false;
  private lastNamespace = "";
  private lastKeys: Map<string, number> | undefined;

  constructor(
    readonly window: number,
    readonly capacity: number,
  ) {
    this.keys = new Array<string>(capacity).fill("");
    this.namespaces = new Array<string>(capacity).fill("");
    this.cur = new Float64Array(capacity);
    this.prev = new Float64Array(capacity);
    this.error = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.heapPos = new Int32Array(capacity);
  }

  record(key: string, namespace: string): void {
    // Consecutive reads nearly always share a namespace: skip its lookup then.
    let byKey = namespace === this.lastNamespace ? this.lastKeys : this.index.get(namespace);
    const slot = byKey?.get(key);
    if (slot !== undefined) {
      this.cur[slot]++;
      this.siftDown(this.heapPos[slot]);
    } else {
      if (byKey === undefined) this.index.set(namespace, (byKey = new Map()));
      this.admit(key, namespace, byKey);
    }
    this.lastNamespace = namespace;
    this.lastKeys = byKey;
    if (++this.seen >= this.window) this.turn();
  }

  /** Reads the estimates cover: `window` once a window has filled, fewer before. */
  get coveredReads(): number {
    return this.hasPrevious ? this.window : this.seen;
  }

  /** The `k` keys with the highest estimated count, highest first. */
  top(k: number): HotKey[] {
    const reads = this.coveredReads;
    if (reads === 0 || k <= 0) return [];
    const weight = this.hasPrevious ? (this.window - this.seen) / this.window : 0;
    const all: HotKey[] = [];
    for (let s = 0; s < this.size; s++) {
      const count = this.cur[s] + this.prev[s] * weight;
      if (count > 0)
        all.push({ key: this.keys[s], namespace: this.namespaces[s], count, share: count / reads });
    }
    all.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return all.slice(0, k);
  }

  /** Held keys with their current-window count and its error bound (for tests). */
  forEach(visit: (key: string, namespace: string, count: number, error: number) => void): void {
    for (let s = 0; s < this.size; s++)
      visit(this.keys[s], this.namespaces[s], this.cur[s], this.error[s]);
  }

  private admit(key: string, namespace: string, byKey: Map<string, number>): void {
    let slot: number;
    let floor = 0;
    if (this.size < this.capacity) {
      slot = this.size++;
      this.heap[slot] = slot;
      this.heapPos[slot] = slot;
    } else {
      slot = this.heap[0];
      floor = this.cur[slot];
      const victimKeys = this.index.get(this.namespaces[slot])!;
      victimKeys.delete(this.keys[slot]);
      if (victimKeys.size === 0 && victimKeys !== byKey) {
        this.index.delete(this.namespaces[slot]);
        if (this.lastKeys === victimKeys) this.lastKeys = undefined;
      }
    }
    this.keys[slot] = key;
    this.namespaces[slot] = namespace;
    this.cur[slot] = floor + 1;
    this.error[slot] = floor;
    this.prev[slot] = 0;
    byKey.set(key, slot);
    // A fresh slot sits at the bottom of the heap; a taken-over one at the top.
    this.siftUp(this.heapPos[slot]);
    this.siftDown(this.heapPos[slot]);
  }

  private turn(): void {
    for (let s = 0; s < this.size; s++) {
      this.prev[s] = this.cur[s];
      this.cur[s] = 0;
      this.error[s] = 0;
    }
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i);
    this.seen = 0;
    this.hasPrevious = true;
  }

  private less(a: number, b: number): boolean {
    const ca = this.cur[a];
    const cb = this.cur[b];
    return ca < cb || (ca === cb && this.prev[a] < this.prev[b]);
  }

  private siftUp(start: number): void {
    const { heap, heapPos } = this;
    let i = start;
    const slot = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(slot, heap[parent])) break;
      heap[i] = heap[parent];
      heapPos[heap[i]] = i;
      i = parent;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }

  private siftDown(start: number): void {
    const { heap, heapPos } = this;
    const n = this.size;
    let i = start;
    const slot = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1], heap[child])) child++;
      if (!this.less(heap[child], slot)) break;
      heap[i] = heap[child];
      heapPos[heap[i]] = i;
      i = child;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }
}
