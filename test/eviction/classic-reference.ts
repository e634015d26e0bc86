/**
 * Naive reference implementations of the classic policies: plain arrays and linear scans, written
 * from each policy's definition rather than its data structure, for the model-based tests.
 */
export interface ReferencePolicy {
  readonly size: number;
  insert(slot: number, expiresAt: number): void;
  access(slot: number): void;
  update(slot: number, expiresAt: number): void;
  remove(slot: number): void;
  /** The victim the policy's definition picks, removed. */
  evict(): number;
  clear(): void;
}

interface Entry {
  slot: number;
  /** LFU: use count. */
  frequency: number;
  /** Global counter value at the last insert/hit/update. */
  lastUse: number;
  /** Global counter value at the last insert/update. */
  lastWrite: number;
  /** Epoch ms, 0 = never. */
  expiresAt: number;
}

abstract class EntryList implements ReferencePolicy {
  protected entries: Entry[] = [];
  protected counter = 0;

  get size(): number {
    return this.entries.length;
  }
  insert(slot: number, expiresAt: number): void {
    if (this.entries.some((e) => e.slot === slot))
      throw new Error(`reference: slot ${slot} inserted twice`);
    const now = ++this.counter;
    this.entries.push({ slot, frequency: 1, lastUse: now, lastWrite: now, expiresAt });
    this.afterTouch();
  }
  access(slot: number): void {
    const entry = this.find(slot);
    entry.frequency++;
    entry.lastUse = ++this.counter;
    this.afterTouch();
  }
  update(slot: number, expiresAt: number): void {
    const entry = this.find(slot);
    entry.frequency++;
    entry.lastUse = entry.lastWrite = ++this.counter;
    entry.expiresAt = expiresAt;
    this.afterTouch();
  }
  remove(slot: number): void {
    this.entries.splice(this.entries.indexOf(this.find(slot)), 1);
  }
  evict(): number {
    if (this.entries.length === 0) throw new Error("reference: evict on an empty policy");
    let victim = this.entries[0];
    for (const entry of this.entries) if (this.leavesBefore(entry, victim)) victim = entry;
    this.entries.splice(this.entries.indexOf(victim), 1);
    return victim.slot;
  }
  clear(): void {
    this.entries = [];
  }
  /** True when `a` must be evicted before `b`. */
  protected abstract leavesBefore(a: Entry, b: Entry): boolean;
  protected afterTouch(): void {}

  private find(slot: number): Entry {
    const entry = this.entries.find((e) => e.slot === slot);
    if (!entry) throw new Error(`reference: slot ${slot} is not live`);
    return entry;
  }
}

/** Least recently used (insert, hit and update all count as a use). */
export class ReferenceLru extends EntryList {
  protected leavesBefore(a: Entry, b: Entry): boolean {
    return a.lastUse < b.lastUse;
  }
}

/** Oldest insertion first; nothing else matters. */
export class ReferenceFifo extends EntryList {
  private inserted = new Map<number, number>();
  override insert(slot: number, expiresAt: number): void {
    super.insert(slot, expiresAt);
    this.inserted.set(slot, this.counter);
  }
  protected leavesBefore(a: Entry, b: Entry): boolean {
    return this.inserted.get(a.slot)! < this.inserted.get(b.slot)!;
  }
}

/**
 * Fewest uses first, ties by least recent use; every `agingPeriod` uses (0 = never) all counts are
 * halved, rounding up.
 */
export class ReferenceLfu extends EntryList {
  private uses = 0;
  constructor(private readonly agingPeriod: number) {
    super();
  }
  override clear(): void {
    super.clear();
    this.uses = 0;
  }
  protected override afterTouch(): void {
    if (this.agingPeriod === 0 || ++this.uses < this.agingPeriod) return;
    this.uses = 0;
    for (const entry of this.entries) entry.frequency = Math.ceil(entry.frequency / 2);
  }
  protected leavesBefore(a: Entry, b: Entry): boolean {
    return a.frequency < b.frequency || (a.frequency === b.frequency && a.lastUse < b.lastUse);
  }
}

/**
 * Soonest expiry first, equal expiries by oldest write; entries that never expire (0) only when
 * no expiring entry is left, least recently used first.
 */
export class ReferenceTtl extends EntryList {
  protected leavesBefore(a: Entry, b: Entry): boolean {
    const aNever = a.expiresAt === 0;
    const bNever = b.expiresAt === 0;
    if (aNever !== bNever) return bNever;
    if (aNever) return a.lastUse < b.lastUse;
    return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.lastWrite < b.lastWrite);
  }
}
