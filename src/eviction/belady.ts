import { uniqueKeys } from "./trace.js";

/**
 * Belady's optimal hit count (OPT/MIN) for a trace at an entry capacity: on a miss with a full
 * cache, drop whichever of the residents and the newcomer is next used furthest in the future
 * (dropping the newcomer means not admitting it, which admission-filtering policies such as
 * W-TinyLFU may also do, so this is the true ceiling for every policy here).
 *
 * O(n log n): next uses are precomputed backwards, and residents sit in a max-heap keyed by next
 * use with lazy deletion (an entry is stale once its key's next use has moved on).
 */
export function beladyHits(trace: Uint32Array, capacity: number): number {
  const n = trace.length;
  const keys = uniqueKeys(trace);
  const nextUse = new Int32Array(n);
  // "Never again" sorts after every real position.
  const lastSeen = new Int32Array(keys).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    nextUse[i] = lastSeen[trace[i]];
    lastSeen[trace[i]] = i;
  }
  const residentNext = lastSeen.fill(-1); // -1 = not cached
  const heap = new MaxHeap(n + 1);
  let cached = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const key = trace[i];
    const next = nextUse[i];
    if (residentNext[key] !== -1) {
      hits++;
    } else if (cached < capacity) {
      cached++;
    } else {
      while (residentNext[heap.topKey()] !== heap.topNext()) heap.pop();
      if (heap.topNext() <= next) continue; // the newcomer is needed last: do not admit it
      residentNext[heap.topKey()] = -1;
      heap.pop();
    }
    residentNext[key] = next;
    heap.push(next, key);
  }
  return hits;
}

/** A binary max-heap of (next use, key) pairs in two Int32Arrays. */
class MaxHeap {
  private readonly nexts: Int32Array;
  private readonly keys: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    this.nexts = new Int32Array(capacity);
    this.keys = new Int32Array(capacity);
  }

  topNext(): number {
    return this.nexts[0];
  }
  topKey(): number {
    return this.keys[0];
  }

  push(next: number, key: number): void {
    const nexts = this.nexts;
    const keys = this.keys;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (nexts[parent] >= next) break;
      nexts[i] = nexts[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    nexts[i] = next;
    keys[i] = key;
  }

  pop(): void {
    const nexts = this.nexts;
    const keys = this.keys;
    const last = --this.length;
    const next = nexts[last];
    const key = keys[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && nexts[child + 1] > nexts[child]) child++;
      if (nexts[child] <= next) break;
      nexts[i] = nexts[child];
      keys[i] = keys[child];
      i = child;
    }
    nexts[i] = next;
    keys[i] = key;
  }
}
