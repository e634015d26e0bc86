import { talliedIn, type L1HitTally } from "../multilevel/hit-tally.js";
import { slotCounterIndex } from "../stores/memory.js";
import { hashKey } from "./key-hash.js";

/** Most L1 slots followed; reads from slots beyond take the general path (a Map lookup). */
export const MAX_L1_SLOTS = 1 << 20;

/**
 * What analytics knows of each L1 slot: the key it held at its last recorded hit, that key's
 * namespace counter base and hash, and its hits over tumbling windows (for hot keys).
 *
 * An L1 hit names its slot, so recording it costs two string comparisons (pointer comparisons
 * when the caller reuses its strings) and a few increments, instead of looking the key up in a
 * Map, which is most of what recording any other read costs. A slot is reused once its entry
 * leaves L1, which the comparison catches: the slot is then {@link claim}ed for the new key. L1
 * bounds the slots, so every key L1 holds gets an exact hit count.
 *
 * Each field is a dense array of its own, and the window that ends is kept as a list of (slot,
 * hits), not per slot: ending a window adds the hits the cache tallied to the namespace counters
 * and appends them to that list, reading only each slot's counter base (4 bytes a slot). That is
 * the work that runs for every slot read in a window, hundreds per thousand reads, by which time
 * the cache's own reads have pushed most of those slots out of the CPU cache: a 32-byte record
 * per slot cost two to three times as much there. Hits counted one by one (the reads the cache
 * does not tally) go to a slot's current-window count and join the list when the window ends.
 * Looking up one slot's previous count, which only a slot changing hands needs, builds an index
 * of the list once per window.
 */
export class L1Slots {
  /** Key and namespace of each slot, at 2 × slot; the key is undefined until claimed. */
  readonly names: (string | undefined)[] = [];
  /** First counter of the key's namespace (see NamespaceCounters.base). */
  bases = new Int32Array(0);
  /** The key's hash (see hashKey). */
  hashes = new Int32Array(0);
  /** The base every claimed slot has (one namespace so far), -1 once two differ, -2 before any. */
  private sharedBase = -2;
  /** Per slot, at 2 × slot: hits counted one by one in window [2 × slot + 1] (stale when not the current one). */
  private currents = new Int32Array(0);
  /** Slots with room. */
  size = 0;
  /** The current window. */
  window = 1;
  /** Slots counted one by one in the current window, each once. */
  private counted = new Int32Array(64);
  private countedSize = 0;
  /** The previous window's hits, as (slot, hits) at [2i, 2i + 1]; a slot may appear twice. */
  private previous = new Int32Array(128);
  private previousSize = 0;
  /** The list being built as the current window ends, swapped with {@link previous} at the turn. */
  private ending = new Int32Array(128);
  private endingSize = 0;
  /** The window {@link startTurn} began to end, if any. */
  private endingWindow = 0;
  /** Each slot's total in {@link previous}, built at the first lookup of a window. */
  private previousBySlot: Map<number, number> | undefined;

  /** True when `slot` was last claimed for this key. */
  holds(slot: number, key: string, namespace: string): boolean {
    return (
      slot < this.size && this.names[2 * slot] === key && this.names[2 * slot + 1] === namespace
    );
  }

  /** True when `slot` has been claimed (its key may have left L1 since). */
  claimed(slot: number): boolean {
    return slot < this.size && this.names[2 * slot] !== undefined;
  }

  /** The key `slot` was last claimed for (see {@link claimed}). */
  keyAt(slot: number): string {
    return this.names[2 * slot] as string;
  }

  /** The namespace of {@link keyAt}. */
  namespaceAt(slot: number): string {
    return this.names[2 * slot + 1] as string;
  }

  /**
   * Records that `slot` (below {@link MAX_L1_SLOTS}) holds `key` now. Its hit counts stay: the
   * caller moves them elsewhere first ({@link clearCounts}) when they were another key's.
   * @param base the namespace's first counter
   * @param seed the namespace's hash seed (see namespaceSeed)
   */
  claim(slot: number, key: string, namespace: string, base: number, seed: number): void {
    if (slot >= this.size) this.grow(slot);
    this.names[2 * slot] = key;
    this.names[2 * slot + 1] = namespace;
    this.bases[slot] = base;
    this.hashes[slot] = hashKey(seed, key);
    if (this.sharedBase !== base) this.sharedBase = this.sharedBase === -2 ? base : -1;
  }

  /** `hits` hits from `slot` (claimed) in the current window. */
  count(slot: number, hits = 1): void {
    const currents = this.currents;
    if (currents[2 * slot + 1] === this.window) {
      currents[2 * slot] += hits;
      return;
    }
    currents[2 * slot] = hits;
    currents[2 * slot + 1] = this.window;
    this.counted = listed(this.counted, this.countedSize++, slot);
  }

  /** The slot's hits in the current window (counted one by one). */
  current(slot: number): number {
    return slot < this.size && this.currents[2 * slot + 1] === this.window
      ? this.currents[2 * slot]
      : 0;
  }

  /** The slot's hits in the previous window. */
  previousCount(slot: number): number {
    if (this.previousBySlot === undefined) {
      const bySlot = new Map<number, number>();
      for (let i = 0; i < this.previousSize; i++) {
        const s = this.previous[2 * i];
        bySlot.set(s, (bySlot.get(s) ?? 0) + this.previous[2 * i + 1]);
      }
      this.previousBySlot = bySlot;
    }
    return this.previousBySlot.get(slot) ?? 0;
  }

  /** Zeroes the slot's hit counts (the caller has taken them elsewhere). */
  clearCounts(slot: number): void {
    if (slot >= this.size) return;
    this.currents[2 * slot] = 0;
    if (this.previousCount(slot) === 0) return;
    this.previousBySlot!.delete(slot);
    for (let i = 0; i < this.previousSize; i++) {
      if (this.previous[2 * i] === slot) this.previous[2 * i + 1] = 0;
    }
  }

  /**
   * Starts ending the current window: between this and {@link turn}, {@link countEndingTallies}
   * adds hits counted elsewhere to the window that ends.
   */
  startTurn(): void {
    this.endingSize = 0;
    this.endingWindow = this.window;
  }

  /**
   * Adds to the window that ends (see {@link startTurn}) the hits `tally` holds on each slot it
   * lists as hit, taking them out of the tally (a slot whose entry left L1 goes to 0), and adds
   * them to each slot's namespace counter `counter` in `counterValues`. One tight loop, for the
   * hundreds of slots a window ends with.
   */
  countEndingTallies(tally: L1HitTally, counterValues: Float64Array, counter: number): void {
    const { touched, touchedCount: size, counts } = tally;
    const bases = this.bases;
    if (this.ending.length < 2 * (this.endingSize + size)) {
      this.ending = grown(this.ending, 2 * (this.endingSize + size));
    }
    const ending = this.ending;
    // With a single namespace (the common case) no slot's base needs reading: one more cache
    // miss per slot, at the end of every window.
    const shared = this.sharedBase;
    let sharedHits = 0;
    let at = 2 * this.endingSize;
    for (let i = 0; i < size; i++) {
      const slot = touched[i];
      const index = slotCounterIndex(slot);
      const n = counts[index];
      const hits = talliedIn(n);
      if (hits === 0) continue;
      counts[index] = n < 0 ? 0 : n - hits;
      if (shared >= 0) sharedHits += hits;
      else counterValues[bases[slot] + counter] += hits;
      ending[at] = slot;
      ending[at + 1] = hits;
      at += 2;
    }
    if (sharedHits > 0) counterValues[shared + counter] += sharedHits;
    this.endingSize = at / 2;
  }

  /** Ends the current window (see {@link startTurn}): its counts become the previous ones. */
  turn(): void {
    if (this.endingWindow !== this.window) this.startTurn();
    if (this.ending.length < 2 * (this.endingSize + this.countedSize)) {
      this.ending = grown(this.ending, 2 * (this.endingSize + this.countedSize));
    }
    for (let i = 0; i < this.countedSize; i++) {
      const slot = this.counted[i];
      const hits = this.currents[2 * slot];
      if (hits === 0) continue;
      this.ending[2 * this.endingSize] = slot;
      this.ending[2 * this.endingSize + 1] = hits;
      this.endingSize++;
    }
    const previous = this.previous;
    this.previous = this.ending;
    this.previousSize = this.endingSize;
    this.ending = previous;
    this.endingSize = 0;
    this.previousBySlot = undefined;
    this.countedSize = 0;
    this.window++;
  }

  /**
   * The counts of every slot with hits in either window: a slot's visits add up to its counts
   * (it may be visited more than once, with part of them each time).
   */
  forEachCounted(visit: (slot: number, current: number, previous: number) => void): void {
    for (let i = 0; i < this.countedSize; i++) {
      const slot = this.counted[i];
      visit(slot, this.current(slot), 0);
    }
    for (let i = 0; i < this.previousSize; i++) {
      const hits = this.previous[2 * i + 1];
      if (hits > 0) visit(this.previous[2 * i], 0, hits);
    }
  }

  /** Room for `slot`, doubling so growing stays rare. */
  private grow(slot: number): void {
    let size = Math.max(1024, this.size);
    while (size <= slot) size *= 2;
    size = Math.min(size, MAX_L1_SLOTS);
    for (let s = this.size; s < size; s++) this.names.push(undefined, "");
    this.bases = grown(this.bases, size);
    this.hashes = grown(this.hashes, size);
    this.currents = grown(this.currents, 2 * size);
    this.size = size;
  }
}

/** `list` with `slot` at `index`, grown when full. */
function listed(
  list: Int32Array<ArrayBuffer>,
  index: number,
  slot: number,
): Int32Array<ArrayBuffer> {
  const room = index < list.length ? list : grown(list, 2 * list.length);
  room[index] = slot;
  return room;
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(length);
  next.set(array);
  return next;
}
