import { talliedIn } from "../multilevel/hit-tally.js";
import { hashKey } from "./key-hash.js";

/** Most L1 slots followed; reads from slots beyond take the general path (a Map lookup). */
export const MAX_L1_SLOTS = 1 << 20;

/** Fields of a slot's record in {@link L1Slots.records}: 32 bytes, two slots a cache line. */
export const SlotField = {
  /** First counter of the key's namespace (see NamespaceCounters.base). */
  BASE: 0,
  /** The key's hash (see hashKey). */
  HASH: 1,
  /** Hits in window MARK. */
  CUR: 2,
  /** The window CUR counts: a count of another window is stale, and reads as 0. */
  MARK: 3,
  /** Hits in window PREV_MARK. */
  PREV: 4,
  /** The window PREV counts: it is the previous one's count only while that is the previous. */
  PREV_MARK: 5,
  STRIDE: 8,
} as const;
const { BASE, HASH, CUR, MARK, PREV, PREV_MARK, STRIDE } = SlotField;

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
 * A slot's key and namespace sit side by side in {@link names}, and its numbers in one 32-byte
 * record of {@link records}: whatever recording a slot touches lies in two cache lines, which
 * on a large L1 have usually left the CPU cache by the slot's next read. Counts carry the window
 * they count, so a window turn zeroes nothing: it visits the slots counted in the window that
 * ends (kept in a list), once, never all slots, so its cost per read stays constant whatever the
 * size of L1.
 */
export class L1Slots {
  /** Key and namespace of each slot, at 2 × slot; the key is undefined until claimed. */
  readonly names: (string | undefined)[] = [];
  /** {@link SlotField.STRIDE} integers per slot. */
  records = new Int32Array(0);
  /** Slots with room. */
  size = 0;
  /** The current window; a slot whose MARK differs has not been counted in it yet. */
  window = 1;
  /** Slots counted in the current window, and in the previous one (each listed once). */
  private counted = new Int32Array(64);
  private countedSize = 0;
  private previous = new Int32Array(64);
  private previousSize = 0;
  /** The window {@link startTurn} began to end, if any. */
  private ending = 0;

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

  /** The first counter of the namespace of {@link keyAt}. */
  baseAt(slot: number): number {
    return this.records[slot * STRIDE + BASE];
  }

  /** The hash of {@link keyAt}. */
  hashAt(slot: number): number {
    return this.records[slot * STRIDE + HASH];
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
    this.records[slot * STRIDE + BASE] = base;
    this.records[slot * STRIDE + HASH] = hashKey(seed, key);
  }

  /** `hits` hits from `slot` (claimed) in the current window. */
  count(slot: number, hits = 1): void {
    const at = slot * STRIDE;
    if (this.records[at + MARK] === this.window) {
      this.records[at + CUR] += hits;
      return;
    }
    this.records[at + CUR] = hits;
    this.records[at + MARK] = this.window;
    this.counted = listed(this.counted, this.countedSize++, slot);
  }

  /** The slot's hits in the current window. */
  current(slot: number): number {
    const at = slot * STRIDE;
    return slot < this.size && this.records[at + MARK] === this.window ? this.records[at + CUR] : 0;
  }

  /** The slot's hits in the previous window. */
  previousCount(slot: number): number {
    const at = slot * STRIDE;
    return slot < this.size && this.records[at + PREV_MARK] === this.window - 1
      ? this.records[at + PREV]
      : 0;
  }

  /** Zeroes the slot's hit counts (the caller has taken them elsewhere). */
  clearCounts(slot: number): void {
    if (slot >= this.size) return;
    this.records[slot * STRIDE + CUR] = 0;
    this.records[slot * STRIDE + PREV] = 0;
  }

  /**
   * Starts ending the current window: between this and {@link turn}, {@link countEndingTallies}
   * adds hits counted elsewhere to the window that ends.
   */
  startTurn(): void {
    this.previousSize = 0;
    this.ending = this.window;
  }

  /**
   * Adds to the window that ends (see {@link startTurn}) the hits tallied in `counts` (see
   * L1HitTally) on each slot of `touched`[0, `size`), taking them out of `counts` (a slot whose
   * entry left L1 goes to 0), and adds them to each slot's namespace counter `counter` in
   * `counterValues`. One tight loop, for the hundreds of slots a window ends with.
   */
  countEndingTallies(
    touched: Int32Array,
    size: number,
    counts: Int32Array,
    counterValues: Float64Array,
    counter: number,
  ): void {
    const records = this.records;
    const window = this.window;
    let previous = this.previous;
    let previousSize = this.previousSize;
    for (let i = 0; i < size; i++) {
      const slot = touched[i];
      const n = counts[slot];
      const hits = talliedIn(n);
      if (hits === 0) continue;
      counts[slot] = n < 0 ? 0 : n - hits;
      const at = slot * STRIDE;
      counterValues[records[at + BASE] + counter] += hits;
      if (records[at + PREV_MARK] === window) {
        records[at + PREV] += hits;
        continue;
      }
      records[at + PREV] = (records[at + MARK] === window ? records[at + CUR] : 0) + hits;
      records[at + PREV_MARK] = window;
      if (previousSize === previous.length) previous = grown(previous, 2 * previousSize);
      previous[previousSize++] = slot;
    }
    this.previous = previous;
    this.previousSize = previousSize;
  }

  /** Ends the current window (see {@link startTurn}): its counts become the previous ones. */
  turn(): void {
    if (this.ending !== this.window) this.startTurn();
    const records = this.records;
    for (let i = 0; i < this.countedSize; i++) {
      const slot = this.counted[i];
      const at = slot * STRIDE;
      if (records[at + PREV_MARK] === this.window) continue;
      records[at + PREV] = records[at + CUR];
      records[at + PREV_MARK] = this.window;
      this.previous = listed(this.previous, this.previousSize++, slot);
    }
    this.countedSize = 0;
    this.window++;
  }

  /** Each slot with hits in either window, once. */
  forEachCounted(visit: (slot: number, current: number, previous: number) => void): void {
    for (let i = 0; i < this.countedSize; i++) {
      const slot = this.counted[i];
      visit(slot, this.current(slot), this.previousCount(slot));
    }
    for (let i = 0; i < this.previousSize; i++) {
      const slot = this.previous[i];
      if (this.records[slot * STRIDE + MARK] !== this.window) {
        visit(slot, 0, this.previousCount(slot));
      }
    }
  }

  /** Room for `slot`, doubling so growing stays rare. */
  private grow(slot: number): void {
    let size = Math.max(1024, this.size);
    while (size <= slot) size *= 2;
    size = Math.min(size, MAX_L1_SLOTS);
    for (let s = this.size; s < size; s++) this.names.push(undefined, "");
    this.records = grown(this.records, size * STRIDE);
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
