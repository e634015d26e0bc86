import { KeyTable } from "./key-table.js";
import { L1Slots } from "./l1-slots.js";

/** One frequently read key. */
export interface HotKey {
  key: string;
  namespace: string;
  /** Estimated reads within the last `hotKeyWindow` reads. */
  count: number;
  /** `count` / reads in the window, 0..1. */
  share: number;
}

/** Largest window: counts are kept in 32-bit integers. */
export const MAX_HOT_KEY_WINDOW = 2 ** 30;

/** Fields of a counter's record in {@link HotKeyTracker.info} (a record per 16 bytes). */
const ID = 0;
const CUR = 1;
const PREV = 2;
const ERROR = 3;
const STRIDE = 4;
/** Previous-window counts at or above this tie when ordering victims (heavy hitters, all). */
const PREV_ORDER_CAP = 255;

/**
 * The most read keys over (about) the last `window` reads.
 *
 * Reads answered by L1 are counted per L1 slot ({@link recordSlot}): L1 already bounds how many
 * keys it holds, so each resident key gets an exact count for the price of an increment, with no
 * lookup and no counter taken over (on a Zipf workload a third of the reads would take one over).
 * When a slot changes hands, its key's counts move into the Space-Saving counters below
 * ({@link releaseSlot}), which count every other read in `capacity` counters; {@link top} adds up
 * a key's counts from both.
 *
 * Space-Saving (Metwally, Agrawal, El Abbadi, 2005) over tumbling windows: each counter holds a
 * key with its count in the current window (`cur`) and its final count in the previous window
 * (`prev`). A read of a held key bumps `cur`; a new key takes over a counter with the smallest
 * `cur` and inherits it as error, so current counts overestimate by at most `window / capacity`,
 * any key above that is guaranteed to be held, and with at least as many counters as distinct keys
 * in two windows every count is exact. Among counters of equal `cur`, the one with the smallest
 * `prev` goes first (values from {@link PREV_ORDER_CAP} up tie). When `window` reads have been
 * counted, every `cur` becomes `prev` and counting starts again: the keys stay in place, so a
 * window turning over costs one pass over the counters.
 *
 * Keys are found by their id in a {@link KeyTable} (shared with the miss-ratio curve, so a read
 * looks its key up once). A read of a held key is one increment: the smallest counters are not kept in order as counts
 * change (a heap would sift on every takeover, a third of the reads of a Zipf workload whose tail
 * outnumbers the counters). Instead a takeover pops lists, one per `prev`, of the counters that
 * were smallest when they were built, skipping those counted since; exhausted lists are rebuilt
 * in one pass over the counters. Counts only grow within a window, so a popped counter still at
 * the lists' count is a smallest one, and the lists are rebuilt at most once per distinct
 * smallest count (at most `window / capacity` times per window) and at each turn.
 *
 * A key's count over the last `window` reads is estimated as
 * `cur + prev × (window − seen) / window` (seen: the reads of the current window), the previous
 * window weighted by how much of it still lies inside the sliding window (the estimate sliding-window rate limiters use); right after a
 * turn that is exactly the last `window` reads.
 */
export class HotKeyTracker {
  /** Counter of each key id; stale entries are caught by checking the counter's id. */
  private readonly slotOfId: Int32Array;
  /** Per counter: key id, `cur`, `prev` and error. */
  private readonly info: Int32Array;
  private readonly keys: string[];
  private readonly namespaces: string[];
  /**
   * The counters whose `cur` was {@link smallestCount} when listed, in one list per `prev`
   * (capped at {@link PREV_ORDER_CAP}): `listHead[prev]` is the first, `listNext` links the rest.
   * Takeovers pop from the lowest non-empty list, {@link listAt}.
   */
  private readonly listHead = new Int32Array(PREV_ORDER_CAP + 1).fill(-1);
  private readonly listNext: Int32Array;
  private listAt = PREV_ORDER_CAP + 1;
  private smallestCount = 0;
  private size = 0;
  /**
   * Reads left before the window turns: {@link recordSlot}'s countdown, public so that a caller
   * on the hot path can count a slot read inline (then calling {@link turn} at 0).
   */
  untilTurn: number;
  private hasPrevious = false;
  /** Called as a window ends, before counts move: for a caller holding reads it has yet to count. */
  beforeTurn: (() => void) | undefined;

  /**
   * @param table where keys get their ids; shared with the miss-ratio curve so a read looks its
   *   key up once. Its capacity must be at least twice `capacity` (the held keys are re-entered
   *   when it resets).
   * @param slots the key each L1 slot holds and its hits, kept by the caller (see
   *   {@link recordSlot})
   */
  constructor(
    readonly window: number,
    readonly capacity: number,
    readonly table = new KeyTable(Math.max(16_384, 2 * capacity)),
    readonly slots = new L1Slots(),
  ) {
    this.untilTurn = window;
    if (table.capacity < 2 * capacity) {
      throw new RangeError("HotKeyTracker: the key table needs room for twice the counters");
    }
    if (window > MAX_HOT_KEY_WINDOW) {
      throw new RangeError(`HotKeyTracker: window above ${MAX_HOT_KEY_WINDOW}`);
    }
    this.slotOfId = new Int32Array(table.capacity).fill(-1);
    this.info = new Int32Array(capacity * STRIDE);
    this.keys = new Array<string>(capacity).fill("");
    this.namespaces = new Array<string>(capacity).fill("");
    this.listNext = new Int32Array(capacity);
    table.onReset(() => this.reenter());
  }

  record(key: string, namespace: string): void {
    this.recordId(this.table.id(namespace, key), key, namespace);
  }

  /** A read of `key`, whose id in {@link table} is `id` (for callers that already have it). */
  recordId(id: number, key: string, namespace: string): void {
    const slot = this.slotOfId[id];
    if (slot === -1 || this.info[slot * STRIDE + ID] !== id) this.admit(id, key, namespace, 1);
    else this.info[slot * STRIDE + CUR]++;
    if (--this.untilTurn <= 0) this.turn();
  }

  /**
   * A read answered by L1 `slot`, which {@link slots} says holds the key read (the caller claims
   * the slot for it first, after {@link releaseSlot} when it held another key).
   */
  recordSlot(slot: number): void {
    this.slots.count(slot);
    if (--this.untilTurn <= 0) this.turn();
  }

  /**
   * `slot` no longer holds `key`: its counts move to the key's Space-Saving counter (taking one
   * over if the key has none), so the reads stay counted.
   */
  releaseSlot(slot: number, key: string, namespace: string): void {
    const cur = this.slots.current(slot);
    const prev = this.slots.previousCount(slot);
    if (cur === 0 && prev === 0) return;
    this.slots.clearCounts(slot);
    const id = this.table.id(namespace, key);
    let counter = this.slotOfId[id];
    if (counter === -1 || this.info[counter * STRIDE + ID] !== id) {
      counter = this.admit(id, key, namespace, cur);
    } else {
      this.info[counter * STRIDE + CUR] += cur;
    }
    this.info[counter * STRIDE + PREV] += prev;
  }

  /** Reads the estimates cover: `window` once a window has filled, fewer before. */
  get coveredReads(): number {
    return this.hasPrevious ? this.window : this.window - this.untilTurn;
  }

  /** The `k` keys with the highest estimated count, highest first. */
  top(k: number): HotKey[] {
    const reads = this.coveredReads;
    if (reads === 0 || k <= 0) return [];
    const weight = this.hasPrevious ? this.untilTurn / this.window : 0;
    // A key can have counts in a Space-Saving counter and in L1 slots (one, or an old one not
    // yet claimed by its next key, a slot's in parts): its estimate is their sum, weighted once,
    // so that it comes out the same however the counts are split.
    const byNamespace = new Map<string, Map<string, { cur: number; prev: number }>>();
    const add = (key: string, namespace: string, cur: number, prev: number): void => {
      if (cur <= 0 && prev <= 0) return;
      let keys = byNamespace.get(namespace);
      if (keys === undefined) byNamespace.set(namespace, (keys = new Map()));
      const known = keys.get(key);
      if (known === undefined) keys.set(key, { cur, prev });
      else {
        known.cur += cur;
        known.prev += prev;
      }
    };
    for (let s = 0; s < this.size; s++) {
      const at = s * STRIDE;
      add(this.keys[s], this.namespaces[s], this.info[at + CUR], this.info[at + PREV]);
    }
    const slots = this.slots;
    slots.forEachCounted((slot, cur, prev) =>
      add(slots.keyAt(slot), slots.namespaceAt(slot), cur, prev),
    );
    const all: HotKey[] = [];
    for (const [namespace, keys] of byNamespace) {
      for (const [key, { cur, prev }] of keys) {
        const count = cur + prev * weight;
        if (count > 0) all.push({ key, namespace, count, share: 0 });
      }
    }
    all.sort(
      (a, b) => b.count - a.count || compare(a.key, b.key) || compare(a.namespace, b.namespace),
    );
    const top = all.slice(0, k);
    for (const hot of top) hot.share = hot.count / reads;
    return top;
  }

  /** Held keys with their current-window count and its error bound (for tests). */
  forEach(visit: (key: string, namespace: string, count: number, error: number) => void): void {
    for (let s = 0; s < this.size; s++) {
      const at = s * STRIDE;
      visit(this.keys[s], this.namespaces[s], this.info[at + CUR], this.info[at + ERROR]);
    }
  }

  /** Gives `key` a counter at `count` reads (on top of a taken-over counter's count). */
  private admit(id: number, key: string, namespace: string, count: number): number {
    const info = this.info;
    let slot: number;
    let floor = 0;
    if (this.size < this.capacity) {
      slot = this.size++;
    } else {
      slot = this.takeSmallest();
      floor = info[slot * STRIDE + CUR];
    }
    const at = slot * STRIDE;
    info[at + ID] = id;
    info[at + CUR] = floor + count;
    info[at + PREV] = 0;
    info[at + ERROR] = floor;
    this.slotOfId[id] = slot;
    this.keys[slot] = key;
    if (this.namespaces[slot] !== namespace) this.namespaces[slot] = namespace;
    return slot;
  }

  /** A counter with the smallest `cur` (of those, the smallest `prev`), while all are in use. */
  private takeSmallest(): number {
    const { info, listHead } = this;
    for (;;) {
      while (this.listAt <= PREV_ORDER_CAP) {
        const slot = listHead[this.listAt];
        if (slot === -1) {
          this.listAt++;
          continue;
        }
        listHead[this.listAt] = this.listNext[slot];
        if (info[slot * STRIDE + CUR] === this.smallestCount) return slot;
      }
      this.listSmallest();
    }
  }

  /** Lists the counters at the smallest `cur`, in one pass. */
  private listSmallest(): void {
    const { info, listHead, listNext } = this;
    let min = Infinity;
    for (let s = 0, at = 0; s < this.size; s++, at += STRIDE) {
      const cur = info[at + CUR];
      if (cur > min) continue;
      if (cur < min) {
        min = cur;
        listHead.fill(-1);
      }
      const p = Math.min(info[at + PREV], PREV_ORDER_CAP);
      listNext[s] = listHead[p];
      listHead[p] = s;
    }
    this.smallestCount = min;
    this.listAt = 0;
  }

  /** The table forgot every id: take the held keys' new ones. */
  private reenter(): void {
    this.slotOfId.fill(-1);
    for (let s = 0; s < this.size; s++) {
      const id = this.table.id(this.namespaces[s], this.keys[s]);
      this.slotOfId[id] = s;
      this.info[s * STRIDE + ID] = id;
    }
  }

  /**
   * Ends the window: every `cur` becomes `prev`, and every counter is listed for takeover (all
   * are at 0). Called when {@link untilTurn} reaches 0.
   */
  turn(): void {
    this.slots.startTurn();
    this.beforeTurn?.();
    this.slots.turn();
    const { info, listHead, listNext } = this;
    listHead.fill(-1);
    for (let s = 0, at = 0; s < this.size; s++, at += STRIDE) {
      const count = info[at + CUR];
      info[at + PREV] = count;
      info[at + CUR] = 0;
      info[at + ERROR] = 0;
      const p = Math.min(count, PREV_ORDER_CAP);
      listNext[s] = listHead[p];
      listHead[p] = s;
    }
    this.smallestCount = 0;
    this.listAt = 0;
    this.untilTurn = this.window;
    this.hasPrevious = true;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
