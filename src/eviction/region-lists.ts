/** A slot's region. */
const NO_REGION = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;
/** Region numbers, for callers. */
export const Region = { NONE: NO_REGION, WINDOW, PROBATION, PROTECTED } as const;

/** Offsets of the lists' own fields in a slot's record. */
const NEXT = 0;
const PREV = 1;
const REGION = 2;
/** Int32 fields per slot record, as a shift: 4 fields (one spare), 16 bytes. */
const RECORD_SHIFT = 2;

/** The two linked lists: the window, and the main region (protected, then probation). */
const WINDOW_LIST = 0;
const MAIN_LIST = 1;

/**
 * W-TinyLFU's three LRU regions over slots: the window, and the main region's protected and
 * probation segments. Each slot has one 16-byte record in a single array (next, prev, region),
 * so a hit reads its slot's links and region from one cache line.
 *
 * The main region is one list, protected entries (most recent first) followed by probation
 * entries, with `boundary` at the least recent protected entry. That is the same order as two
 * separate lists, because a protected entry that overflows is demoted to probation's most
 * recent end, which is where it already is: a demotion only moves the boundary and relabels one
 * slot, so a probation hit (promote, then demote protected's tail) costs one list move, not two.
 *
 * Head is most recent, tail the eviction end. Nothing allocates after construction.
 */
export class RegionLists {
  private readonly records: Int32Array;
  private readonly heads = new Int32Array(2).fill(-1);
  private readonly tails = new Int32Array(2).fill(-1);
  /** Least recent protected slot, -1 when protected is empty; probation follows it. */
  private boundary = -1;
  windowSize = 0;
  protectedSize = 0;
  probationSize = 0;
  /** Protected's capacity: beyond it, protected's least recent entries are demoted. */
  protectedMax = 0;

  constructor(slots: number) {
    this.records = new Int32Array(slots << RECORD_SHIFT);
  }

  get total(): number {
    return this.windowSize + this.protectedSize + this.probationSize;
  }

  /** Least recent slot of a region, or -1. */
  last(region: number): number {
    if (region === WINDOW) return this.tails[WINDOW_LIST];
    if (region === PROTECTED) return this.boundary;
    return this.probationSize > 0 ? this.tails[MAIN_LIST] : -1;
  }

  /**
   * A hit on a listed slot (the hot path, kept in one function): a window or protected slot
   * becomes its region's most recent, a probation slot is promoted to protected's most recent
   * end and protected's overflow is demoted. Returns true when the slot was promoted.
   */
  touch(slot: number): boolean {
    const records = this.records;
    const at = slot << RECORD_SHIFT;
    const region = records[at + REGION];
    const list = region === WINDOW ? WINDOW_LIST : MAIN_LIST;
    const head = this.heads[list];
    const promoted = region === PROBATION;
    if (promoted) {
      records[at + REGION] = PROTECTED;
      if (this.boundary === -1) this.boundary = slot;
    } else if (slot === this.boundary && slot !== head) {
      // Not the head, so a protected predecessor takes over as the boundary.
      this.boundary = records[at + PREV];
    }
    if (slot !== head) {
      const next = records[at + NEXT];
      const prev = records[at + PREV];
      // prev !== -1: the slot is not the head.
      records[(prev << RECORD_SHIFT) + NEXT] = next;
      if (next === -1) this.tails[list] = prev;
      else records[(next << RECORD_SHIFT) + PREV] = prev;
      records[at + NEXT] = head;
      records[at + PREV] = -1;
      records[(head << RECORD_SHIFT) + PREV] = slot;
      this.heads[list] = slot;
    }
    if (promoted) {
      if (this.protectedSize < this.protectedMax) {
        this.probationSize--;
        this.protectedSize++;
      } else {
        // Full: the promotion pushes protected's least recent entry back to probation, and
        // both sizes stay as they were.
        const demoted = this.boundary << RECORD_SHIFT;
        this.boundary = records[demoted + PREV];
        records[demoted + REGION] = PROBATION;
        if (this.protectedSize > this.protectedMax) this.demoteOverflow();
      }
    }
    return promoted;
  }

  /**
   * {@link touch} for `slots[0 .. count - 1]`, in order. Returns true when `watched` was among
   * them and was promoted.
   */
  touchAll(slots: Int32Array, count: number, watched: number): boolean {
    let promotedWatched = false;
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      if (this.touch(slot) && slot === watched) promotedWatched = true;
    }
    return promotedWatched;
  }

  /** Puts a slot that is in no region at the head of `region`. */
  add(region: number, slot: number): void {
    if (region === WINDOW) {
      this.link(WINDOW_LIST, slot, -1);
      this.windowSize++;
    } else if (region === PROTECTED) {
      this.link(MAIN_LIST, slot, -1);
      if (this.boundary === -1) this.boundary = slot;
      this.protectedSize++;
    } else {
      // Probation's most recent end is just after protected's least recent entry.
      this.link(MAIN_LIST, slot, this.boundary);
      this.probationSize++;
    }
    this.records[(slot << RECORD_SHIFT) + REGION] = region;
  }

  /** Takes a slot out of its region. */
  remove(slot: number): void {
    const records = this.records;
    const at = slot << RECORD_SHIFT;
    const region = records[at + REGION];
    if (region === WINDOW) {
      this.windowSize--;
    } else if (region === PROTECTED) {
      if (slot === this.boundary) this.boundary = records[at + PREV];
      this.protectedSize--;
    } else {
      this.probationSize--;
    }
    this.unlink(region === WINDOW ? WINDOW_LIST : MAIN_LIST, slot);
    records[at + REGION] = NO_REGION;
  }

  /** Moves a slot to the head of `region` (its own or another). */
  moveTo(region: number, slot: number): void {
    this.remove(slot);
    this.add(region, slot);
  }

  /** Demotes protected's least recent entries while protected is over `protectedMax`. */
  demoteOverflow(): void {
    const records = this.records;
    while (this.protectedSize > this.protectedMax) {
      // A relabel: the boundary entry is already at probation's most recent end.
      const at = this.boundary << RECORD_SHIFT;
      this.boundary = records[at + PREV];
      records[at + REGION] = PROBATION;
      this.protectedSize--;
      this.probationSize++;
    }
  }

  clear(): void {
    const records = this.records;
    for (let at = 0; at < records.length; at += 1 << RECORD_SHIFT) records[at + REGION] = NO_REGION;
    this.heads.fill(-1);
    this.tails.fill(-1);
    this.boundary = -1;
    this.windowSize = this.protectedSize = this.probationSize = 0;
  }

  /** Links `slot` into `list` after `after`, or at the head when `after` is -1. */
  private link(list: number, slot: number, after: number): void {
    const records = this.records;
    const at = slot << RECORD_SHIFT;
    const next = after === -1 ? this.heads[list] : records[(after << RECORD_SHIFT) + NEXT];
    records[at + NEXT] = next;
    records[at + PREV] = after;
    if (after === -1) this.heads[list] = slot;
    else records[(after << RECORD_SHIFT) + NEXT] = slot;
    if (next === -1) this.tails[list] = slot;
    else records[(next << RECORD_SHIFT) + PREV] = slot;
  }

  private unlink(list: number, slot: number): void {
    const records = this.records;
    const at = slot << RECORD_SHIFT;
    const next = records[at + NEXT];
    const prev = records[at + PREV];
    if (prev === -1) this.heads[list] = next;
    else records[(prev << RECORD_SHIFT) + NEXT] = next;
    if (next === -1) this.tails[list] = prev;
    else records[(next << RECORD_SHIFT) + PREV] = prev;
  }
}
