import { hashKey } from "./key-hash.js";

/** Most L1 slots followed; reads from slots beyond take the general path (a Map lookup). */
export const MAX_L1_SLOTS = 1 << 20;

/**
 * Fields of a slot's record in {@link L1Slots.records}. The first six, all an L1 hit reads or
 * writes, fill one 64-byte cache line (with the array's 16-byte header, each 8-element record
 * starts 16 bytes into a line); PREV, used only when a window turns, starts the next.
 */
export const SlotRecord = {
  /** The key, undefined until claimed (any string is a valid key, so no string can mark that). */
  KEY: 0,
  NAMESPACE: 1,
  /** First counter of the key's namespace (see NamespaceCounters.base). */
  BASE: 2,
  /** The key's hash (see hashKey). */
  HASH: 3,
  /** Hits in the current window. */
  CUR: 4,
  /** The window the slot was last counted in (see {@link L1Slots.listCounted}). */
  MARK: 5,
  /** Hits in the previous window. */
  PREV: 6,
  STRIDE: 8,
} as const;
const { KEY, NAMESPACE, BASE, HASH, CUR, MARK, PREV, STRIDE } = SlotRecord;

/**
 * What analytics knows of each L1 slot: the key it held at its last recorded hit, that key's
 * namespace counter base and hash, and its hits over tumbling windows (for hot keys).
 *
 * An L1 hit names its slot, so recording it costs two string comparisons (pointer comparisons
 * when the caller reuses its strings) and a few increments in one record, instead of looking the
 * key up in a Map, which is most of what recording any other read costs. The record is one cache
 * line: on a large L1 most hits touch a slot whose line has left the CPU cache, and each line
 * costs about as much as the rest of the recording. A slot is reused once its entry leaves L1,
 * which the comparison catches: the slot is then {@link claim}ed for the new key. L1 bounds the
 * slots, so every key L1 holds gets an exact hit count. A window turn costs one pass over the
 * slots counted in the last two windows (kept in two lists), never one over all slots, so the
 * cost per read stays constant whatever the size of L1.
 */
export class L1Slots {
  /** {@link SlotRecord.STRIDE} elements per slot: strings and small integers. */
  records: (string | number | undefined)[] = [];
  /** Slots with a record. */
  size = 0;
  /** The current window; a slot whose MARK differs has not been counted in it yet. */
  window = 1;
  /** Slots counted in the current window, and in the previous one. */
  private counted: Int32Array = new Int32Array(64);
  private countedSize = 0;
  private previous: Int32Array = new Int32Array(64);
  private previousSize = 0;

  /** True when `slot` was last claimed for this key. */
  holds(slot: number, key: string, namespace: string): boolean {
    const at = slot * STRIDE;
    return (
      slot < this.size &&
      this.records[at + KEY] === key &&
      this.records[at + NAMESPACE] === namespace
    );
  }

  /** True when `slot` has been claimed (its key may have left L1 since). */
  claimed(slot: number): boolean {
    return slot < this.size && this.records[slot * STRIDE + KEY] !== undefined;
  }

  /** The key `slot` was last claimed for (see {@link claimed}). */
  keyAt(slot: number): string {
    return this.records[slot * STRIDE + KEY] as string;
  }

  /** The namespace of {@link keyAt}. */
  namespaceAt(slot: number): string {
    return this.records[slot * STRIDE + NAMESPACE] as string;
  }

  /**
   * Records that `slot` (below {@link MAX_L1_SLOTS}) holds `key` now. Its hit counts stay: the
   * caller moves them elsewhere first ({@link clearCounts}) when they were another key's.
   * @param base the namespace's first counter
   * @param seed the namespace's hash seed (see namespaceSeed)
   */
  claim(slot: number, key: string, namespace: string, base: number, seed: number): void {
    if (slot >= this.size) this.grow(slot);
    const at = slot * STRIDE;
    this.records[at + KEY] = key;
    this.records[at + NAMESPACE] = namespace;
    this.records[at + BASE] = base;
    this.records[at + HASH] = hashKey(seed, key);
  }

  /** One hit from `slot` (claimed). */
  count(slot: number): void {
    const at = slot * STRIDE;
    this.records[at + CUR] = (this.records[at + CUR] as number) + 1;
    if (this.records[at + MARK] !== this.window) this.listCounted(slot);
  }

  /** Lists `slot` as counted in the current window (the first hit of the window). */
  listCounted(slot: number): void {
    this.records[slot * STRIDE + MARK] = this.window;
    if (this.countedSize === this.counted.length) this.counted = doubled(this.counted);
    this.counted[this.countedSize++] = slot;
  }

  /** The slot's hits in the current window. */
  current(slot: number): number {
    return slot < this.size ? (this.records[slot * STRIDE + CUR] as number) : 0;
  }

  /** The slot's hits in the previous window. */
  previousCount(slot: number): number {
    return slot < this.size ? (this.records[slot * STRIDE + PREV] as number) : 0;
  }

  /** Zeroes the slot's hit counts (the caller has taken them elsewhere). */
  clearCounts(slot: number): void {
    if (slot >= this.size) return;
    this.records[slot * STRIDE + CUR] = 0;
    this.records[slot * STRIDE + PREV] = 0;
  }

  /** Every slot's current count becomes its previous one, and counting starts again. */
  turn(): void {
    const records = this.records;
    for (let i = 0; i < this.previousSize; i++) records[this.previous[i] * STRIDE + PREV] = 0;
    for (let i = 0; i < this.countedSize; i++) {
      const at = this.counted[i] * STRIDE;
      records[at + PREV] = records[at + CUR];
      records[at + CUR] = 0;
    }
    const previous = this.previous;
    this.previous = this.counted;
    this.previousSize = this.countedSize;
    this.counted = previous;
    this.countedSize = 0;
    this.window++;
  }

  /** Each slot with hits in either window, once. */
  forEachCounted(visit: (slot: number, current: number, previous: number) => void): void {
    const records = this.records;
    for (let i = 0; i < this.countedSize; i++) {
      const at = this.counted[i] * STRIDE;
      visit(this.counted[i], records[at + CUR] as number, records[at + PREV] as number);
    }
    for (let i = 0; i < this.previousSize; i++) {
      const at = this.previous[i] * STRIDE;
      if (records[at + MARK] !== this.window)
        visit(this.previous[i], 0, records[at + PREV] as number);
    }
  }

  /** Room for `slot`, doubling so growing stays rare. */
  private grow(slot: number): void {
    let size = Math.max(1024, this.size);
    while (size <= slot) size *= 2;
    size = Math.min(size, MAX_L1_SLOTS);
    // Numbers start as 0 so every element holds a string, undefined or a small integer.
    for (let s = this.size; s < size; s++) {
      this.records.push(undefined, undefined, 0, 0, 0, 0, 0, 0);
    }
    this.size = size;
  }
}

function doubled(list: Int32Array): Int32Array {
  const next = new Int32Array(list.length * 2);
  next.set(list);
  return next;
}
