/**
 * Space-Saving (Metwally, Agrawal, El Abbadi, 2005): the `capacity` most frequent keys of a stream
 * in `capacity` counters. A new key takes over the smallest counter and inherits its count as its
 * error, so every count is an overestimate by at most `total / capacity`, and any key with more
 * than that many occurrences is guaranteed to be held. With at least as many counters as distinct
 * keys the counts are exact. A min-heap finds the smallest counter in O(log capacity); a hot key
 * sits near the leaves, so its increment rarely moves far.
 */
export class SpaceSaving {
  /** Occurrences offered since the last clear. */
  total = 0;
  private size = 0;
  private readonly index = new Map<string, Map<string, number>>();
  private readonly keys: string[];
  private readonly namespaces: string[];
  private readonly counts: Float64Array;
  private readonly errors: Float64Array;
  private readonly heap: Int32Array;
  private readonly heapPos: Int32Array;
  private lastNamespace = "";
  private lastKeys: Map<string, number> | undefined;

  constructor(readonly capacity: number) {
    this.keys = new Array<string>(capacity).fill("");
    this.namespaces = new Array<string>(capacity).fill("");
    this.counts = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.heapPos = new Int32Array(capacity);
  }

  offer(key: string, namespace: string): void {
    this.total++;
    // Consecutive reads nearly always share a namespace: skip its lookup then.
    let byKey = namespace === this.lastNamespace ? this.lastKeys : this.index.get(namespace);
    const slot = byKey?.get(key);
    if (slot !== undefined) {
      this.lastNamespace = namespace;
      this.lastKeys = byKey;
      this.counts[slot]++;
      this.siftDown(this.heapPos[slot]);
      return;
    }
    if (byKey === undefined) this.index.set(namespace, (byKey = new Map()));
    this.lastNamespace = namespace;
    this.lastKeys = byKey;
    if (this.size < this.capacity) {
      const fresh = this.size++;
      this.place(fresh, key, namespace, 1, 0, byKey);
      this.heap[fresh] = fresh;
      this.heapPos[fresh] = fresh;
      this.siftUp(fresh);
      return;
    }
    const victim = this.heap[0];
    const victimKeys = this.index.get(this.namespaces[victim])!;
    victimKeys.delete(this.keys[victim]);
    if (victimKeys.size === 0 && victimKeys !== byKey) {
      this.index.delete(this.namespaces[victim]);
      if (this.lastKeys === victimKeys) this.lastKeys = undefined;
    }
    const floor = this.counts[victim];
    this.place(victim, key, namespace, floor + 1, floor, byKey);
    this.siftDown(0);
  }

  /** Estimated occurrences of the key (an overestimate by at most its error), 0 if not held. */
  count(key: string, namespace: string): number {
    const slot = this.index.get(namespace)?.get(key);
    return slot === undefined ? 0 : this.counts[slot];
  }

  /** Calls `visit` for every held key. */
  forEach(visit: (key: string, namespace: string, count: number, error: number) => void): void {
    for (let s = 0; s < this.size; s++)
      visit(this.keys[s], this.namespaces[s], this.counts[s], this.errors[s]);
  }

  clear(): void {
    this.index.clear();
    this.lastKeys = undefined;
    this.size = 0;
    this.total = 0;
    // Drop key references so a finished window does not keep strings alive.
    this.keys.fill("");
    this.namespaces.fill("");
  }

  private place(
    slot: number,
    key: string,
    namespace: string,
    count: number,
    error: number,
    byKey: Map<string, number>,
  ): void {
    this.keys[slot] = key;
    this.namespaces[slot] = namespace;
    this.counts[slot] = count;
    this.errors[slot] = error;
    byKey.set(key, slot);
  }

  private siftUp(start: number): void {
    const { heap, heapPos, counts } = this;
    let i = start;
    const slot = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (counts[heap[parent]] <= counts[slot]) break;
      heap[i] = heap[parent];
      heapPos[heap[i]] = i;
      i = parent;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }

  private siftDown(start: number): void {
    const { heap, heapPos, counts } = this;
    const n = this.size;
    let i = start;
    const slot = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && counts[heap[child + 1]] < counts[heap[child]]) child++;
      if (counts[heap[child]] >= counts[slot]) break;
      heap[i] = heap[child];
      heapPos[heap[i]] = i;
      i = child;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }
}
