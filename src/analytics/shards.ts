import { FenwickTree } from "./fenwick-tree.js";
import { LogLinearHistogram } from "./log-linear-histogram.js";
import { SlotTable } from "./slot-table.js";

/** Keys are hashed to 30 bits (see hashKey). */
const HASH_SPACE = 2 ** 30;
/** Smallest timestamp tree: 1024 stamps, 4 KB. */
const MIN_TREE_SIZE = 1024;

/**
 * Online miss-ratio curve for LRU by SHARDS (Waldspurger et al., FAST '15), in its fixed-size
 * form (SHARDS_max) with the SHARDS_adj correction.
 *
 * A key is sampled when its 30-bit hash is below a threshold T, so either every reference to a
 * key is seen or none is (spatial sampling, rate R = T / 2^30). For sampled references the reuse
 * (stack) distance — how many distinct sampled keys were referenced since this key's previous
 * reference — is counted with a Fenwick tree over logical timestamps, scaled by 1/R and recorded
 * with weight 1/R in a log-linear histogram. LRU of capacity C hits exactly the references whose
 * distance is below C, so the histogram read at C is the predicted hit ratio.
 *
 * Memory is bounded: at most `maxSampledKeys` keys are tracked; when one more would be, T drops
 * to the largest tracked hash and that key leaves the sample (R only ever decreases). SHARDS_adj
 * credits the gap between the references seen and the weight sampled to distance 0, which removes
 * most of the bias a heavy key being in or out of the sample would cause.
 */
export class ShardsMrc {
  /**
   * Keys whose hash is below this are sampled. Public so that a caller on the hot path can test
   * a read inline and call {@link sampledAccess} only for a sampled key; only this class changes
   * it.
   */
  threshold: number;
  private readonly initialThreshold: number;
  private readonly slots: SlotTable;
  private readonly hashOf: Uint32Array;
  private readonly lastTime: Int32Array;
  private readonly namespaceOf: (string | undefined)[];
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  /** Max-heap of slots by hash, so lowering T evicts the right key in O(log n). */
  private readonly heap: Int32Array;
  private readonly heapPos: Int32Array;
  private heapSize = 0;
  /** Logical timestamps; sized at each compaction (see {@link compact}). */
  private times: FenwickTree;
  private readonly maxTreeSize: number;
  private now = 0;
  private readonly distances = new LogLinearHistogram(6, 31);
  /** References counted by {@link access} (see {@link referenceCount}). */
  private references = 0;
  /** `countReferences()` at construction or the last {@link reset}. */
  private referencesAtReset: number;
  /** Sum of 1/R over sampled references: the estimate of `references`. */
  private sampledWeight = 0;

  /**
   * @param maxSampledKeys most keys followed (memory bound)
   * @param maxSamplingRate highest sampling rate, 0..1: the cost of a read is a hash plus, for
   *   sampled keys, three Fenwick operations, so capping the rate bounds the average cost when
   *   the key space is small enough to be sampled whole
   * @param countReferences for a caller that counts references itself (every read, sampled or
   *   not) and passes only sampled ones to {@link sampledAccess}: the running count
   */
  constructor(
    readonly maxSampledKeys: number,
    maxSamplingRate = 1,
    private readonly countReferences?: () => number,
  ) {
    this.referencesAtReset = countReferences?.() ?? 0;
    this.threshold = this.initialThreshold = Math.max(1, Math.floor(maxSamplingRate * HASH_SPACE));
    const n = maxSampledKeys + 1;
    this.hashOf = new Uint32Array(n);
    this.slots = new SlotTable(n, this.hashOf);
    this.lastTime = new Int32Array(n);
    this.namespaceOf = new Array<string | undefined>(n).fill(undefined);
    this.freeSlots = new Int32Array(n);
    for (let i = 0; i < n; i++) this.freeSlots[i] = n - 1 - i;
    this.freeCount = n;
    this.heap = new Int32Array(n);
    this.heapPos = new Int32Array(n).fill(-1);
    // Room for as many stamps again as keys between compactions keeps them amortised O(log n).
    this.maxTreeSize = 2 * n;
    this.times = new FenwickTree(Math.min(MIN_TREE_SIZE, this.maxTreeSize));
  }

  /** Current sampling rate, 0..1. */
  get samplingRate(): number {
    return this.threshold / HASH_SPACE;
  }

  get sampledKeys(): number {
    return this.slots.size;
  }

  /** References seen since construction or the last {@link reset}. */
  get referenceCount(): number {
    return this.countReferences === undefined
      ? this.references
      : this.countReferences() - this.referencesAtReset;
  }

  /** A read of the key with this hash: counts toward the curve. */
  access(hash: number, namespace: string): void {
    this.references++;
    if (hash < this.threshold) this.sampledAccess(hash, namespace);
  }

  /**
   * What {@link access} does for a sampled key (`hash` below {@link threshold}) but count it, for
   * a caller that counts references itself (see the constructor). Without `namespace`, only a key
   * already followed is counted (false otherwise, and nothing is done): a caller whose namespace
   * costs a lookup fetches it only when the key is new.
   */
  sampledAccess(hash: number, namespace?: string): boolean {
    const slot = this.slots.get(hash);
    if (slot === -1 && namespace === undefined) return false;
    const rate = this.threshold / HASH_SPACE;
    const weight = 1 / rate;
    this.sampledWeight += weight;
    if (this.now >= this.times.size) this.compact();
    if (slot === -1) {
      this.insert(hash, namespace!);
      return true;
    }
    const previous = this.lastTime[slot];
    if (previous === this.now) {
      // The most recent sampled reference again (a hot key read twice in a row): distance 0,
      // and its mark is already on top; skip the tree.
      this.distances.record(0, weight);
      return true;
    }
    const distance = this.slots.size - this.times.prefix(previous);
    this.distances.record(distance / rate, weight);
    this.times.add(previous, -1);
    this.stamp(slot);
    return true;
  }

  /** A write of the key: moves it to the top of the LRU stack without counting a reference. */
  touch(hash: number, namespace: string): void {
    if (hash >= this.threshold) return;
    if (this.now >= this.times.size) this.compact();
    const slot = this.slots.get(hash);
    if (slot === -1) {
      this.insert(hash, namespace);
      return;
    }
    this.times.add(this.lastTime[slot], -1);
    this.stamp(slot);
  }

  /** The key left the cache (delete, expiry): its next read is a cold miss at any size. */
  remove(hash: number): void {
    if (hash >= this.threshold) return;
    const slot = this.slots.get(hash);
    if (slot !== -1) this.drop(slot);
  }

  /** Drops every tracked key of `namespace`, or all of them. */
  clear(namespace?: string): void {
    for (const slot of this.heap.slice(0, this.heapSize)) {
      if (namespace === undefined || this.namespaceOf[slot] === namespace) this.drop(slot);
    }
  }

  /**
   * Predicted LRU hit ratio (0..1) at a capacity of `size` entries, or undefined before the first
   * reference.
   */
  hitRatio(size: number): number | undefined {
    const references = this.referenceCount;
    if (references === 0) return undefined;
    if (size < 1) return 0;
    const adjustment = references - this.sampledWeight;
    const hits = this.distances.weightBelow(size) + adjustment;
    return Math.min(1, Math.max(0, hits / references));
  }

  /** Forgets everything, including the sampling threshold. */
  reset(): void {
    this.clear();
    this.threshold = this.initialThreshold;
    this.distances.reset();
    this.references = 0;
    this.referencesAtReset = this.countReferences?.() ?? 0;
    this.sampledWeight = 0;
    this.now = 0;
    this.times.clear();
  }

  private insert(hash: number, namespace: string): void {
    const slot = this.freeSlots[--this.freeCount];
    this.hashOf[slot] = hash;
    this.slots.add(slot);
    this.namespaceOf[slot] = namespace;
    this.heapPush(slot);
    this.stamp(slot);
    while (this.slots.size > this.maxSampledKeys) {
      this.threshold = this.hashOf[this.heap[0]];
      while (this.heapSize > 0 && this.hashOf[this.heap[0]] >= this.threshold) {
        this.drop(this.heap[0]);
      }
    }
  }

  /** Callers compact first (while every tracked key holds exactly one mark). */
  private stamp(slot: number): void {
    this.lastTime[slot] = ++this.now;
    this.times.add(this.now, 1);
  }

  private drop(slot: number): void {
    this.times.add(this.lastTime[slot], -1);
    this.slots.delete(slot);
    this.namespaceOf[slot] = undefined;
    this.heapRemove(slot);
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Renumbers live timestamps 1..n in order, into a tree of about 4n stamps (a power of two, at
   * least {@link MIN_TREE_SIZE}, at most twice the keys followed): sized to the keys actually
   * followed, a tree stays in the CPU cache and its operations take log2(4n) steps, where one
   * sized for `maxSampledKeys` (32,768 by default, 17 steps over 256 KB) would miss the cache on
   * most steps of every sampled read. Compactions come every 3n stamps or more, so their
   * O(n log n) stays amortised O(log n) per stamp.
   */
  private compact(): void {
    const slots = Array.from(this.heap.subarray(0, this.heapSize)).sort(
      (a, b) => this.lastTime[a] - this.lastTime[b],
    );
    for (let i = 0; i < slots.length; i++) this.lastTime[slots[i]] = i + 1;
    let size = MIN_TREE_SIZE;
    while (size < 4 * slots.length) size *= 2;
    size = Math.min(size, this.maxTreeSize);
    if (size !== this.times.size) this.times = new FenwickTree(size);
    this.times.rebuild(slots.map((_, i) => i + 1));
    this.now = slots.length;
  }

  private heapPush(slot: number): void {
    const i = this.heapSize++;
    this.heap[i] = slot;
    this.heapPos[slot] = i;
    this.siftUp(i);
  }

  private heapRemove(slot: number): void {
    const i = this.heapPos[slot];
    const last = this.heap[--this.heapSize];
    this.heapPos[slot] = -1;
    if (i === this.heapSize) return;
    this.heap[i] = last;
    this.heapPos[last] = i;
    this.siftUp(i);
    this.siftDown(this.heapPos[last]);
  }

  private siftUp(start: number): void {
    const { heap, heapPos, hashOf } = this;
    let i = start;
    const slot = heap[i];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hashOf[heap[parent]] >= hashOf[slot]) break;
      heap[i] = heap[parent];
      heapPos[heap[i]] = i;
      i = parent;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }

  private siftDown(start: number): void {
    const { heap, heapPos, hashOf } = this;
    let i = start;
    const slot = heap[i];
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.heapSize) break;
      if (child + 1 < this.heapSize && hashOf[heap[child + 1]] > hashOf[heap[child]]) child++;
      if (hashOf[heap[child]] <= hashOf[slot]) break;
      heap[i] = heap[child];
      heapPos[heap[i]] = i;
      i = child;
    }
    heap[i] = slot;
    heapPos[slot] = i;
  }
}
