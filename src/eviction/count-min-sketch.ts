import { mix32 } from "./hash.js";

/** Counters in a sketch word: eight 4-bit counters per 32-bit word. */
const NIBBLES_PER_WORD = 8;
/** Every counter's low bit, for counting odd counters at a reset. */
const LOW_BITS = 0x11111111;
/** After a halving shift, masks off the bit each counter received from its neighbour. */
const HALVE_MASK = 0x77777777;
/**
 * Words per block: a key's four counters all live in one 64-byte block (one cache line), as in
 * Caffeine's sketch, so an increment touches one line instead of four.
 */
const BLOCK_WORDS = 16;
/** Bloom-filter probes per key in the doorkeeper, and the seed that decorrelates them from the table. */
const DOOR_HASHES = 3;
const DOOR_SEED = 0x27d4eb2f;
/**
 * Int32 fields per slot in the slot memo: the key's block, counter positions and hash, and the
 * epoch in which its counters were seen saturated (0: not seen).
 */
const SLOT_FIELDS = 4;
const SLOT_SHIFT = 2;
const SLOT_BLOCK = 0;
const SLOT_COUNTERS = 1;
const SLOT_HASH = 2;
const SLOT_SATURATED_IN = 3;

/** Sizing knobs of {@link CountMinSketch}. */
export interface CountMinSketchOptions {
  /** Entries the cache holds; sizes the table (16 counters per entry, rounded up to a power of two). */
  capacity: number;
  /**
   * Recorded events after which every counter is halved, so the sketch forgets old popularity.
   * @default 10 * capacity (TinyLFU's sample size W)
   */
  sampleSize?: number;
  /**
   * Puts a Bloom filter in front of the counters: a key's first occurrence in a sample only sets
   * its bits, so one-hit wonders never touch the counters. Cleared at every reset.
   * @default true
   */
  doorkeeper?: boolean;
  /**
   * Slots `0 .. slots - 1` for the `...Slot` methods, for a caller that gives each live key a
   * small integer (W-TinyLFU): the key's counter positions are computed once, at
   * {@link CountMinSketch.assignSlot}, so counting a slot's hit does no hashing.
   * @default 0
   */
  slots?: number;
}

function powerOfTwoAtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * TinyLFU's approximate frequency: a count-min sketch of depth 4 with 4-bit counters (saturating
 * at 15) packed eight to a Uint32Array word, an optional doorkeeper, and periodic halving. All
 * state is preallocated; `increment` and `frequency` never allocate.
 */
export class CountMinSketch {
  /** Recorded events after which the counters are halved. */
  readonly sampleSize: number;
  private readonly table: Uint32Array;
  /** Blocks in the table, minus one (a power of two). */
  private readonly blockMask: number;
  private readonly door: Uint32Array | null;
  private readonly doorMask: number;
  private additions = 0;
  /** Per slot, {@link SLOT_FIELDS} fields: block, counters, hash, saturated-in epoch. */
  private readonly slotMemo: Int32Array;
  /**
   * Bumped at every halving and clear. Counters only grow between two bumps, so a key seen
   * saturated stays saturated until the epoch changes, and its increments can be skipped.
   */
  private epoch = 1;

  constructor(options: CountMinSketchOptions) {
    const capacity = Math.max(1, options.capacity);
    this.sampleSize = Math.max(16, options.sampleSize ?? 10 * capacity);
    // 16 counters per entry (Caffeine's width), or per tenth of the sample when a longer sample
    // is asked for, so that the counters still outnumber the keys a sample sees.
    const width = Math.max(capacity, this.sampleSize / 10);
    const words = powerOfTwoAtLeast(Math.max(BLOCK_WORDS, (16 * width) / NIBBLES_PER_WORD));
    this.table = new Uint32Array(words);
    this.blockMask = words / BLOCK_WORDS - 1;
    if (options.doorkeeper ?? true) {
      // About 4 bits per sampled event: the doorkeeper holds at most one sample's distinct keys.
      const doorWords = powerOfTwoAtLeast(Math.max(2, (4 * this.sampleSize) / 32));
      this.door = new Uint32Array(doorWords);
      this.doorMask = doorWords * 32 - 1;
    } else {
      this.door = null;
      this.doorMask = 0;
    }
    this.slotMemo = new Int32Array((options.slots ?? 0) * SLOT_FIELDS);
  }

  /** Records one occurrence of the key with this 32-bit hash. */
  increment(hash: number): void {
    this.incrementAt(this.blockOf(hash), counterHash(hash), hash);
  }

  /**
   * The key's block: the first table word of the 64-byte block its counters live in. With
   * {@link countersOf}, callers that see a key often compute it once and use the `...At` methods.
   */
  blockOf(hash: number): number {
    return (mix32(hash) & this.blockMask) * BLOCK_WORDS;
  }

  /** The key's counter positions in its block: eight bits per row (see {@link incrementAt}). */
  countersOf(hash: number): number {
    return counterHash(hash);
  }

  /** {@link increment} for a key whose `blockOf` and `countersOf` are known. */
  incrementAt(block: number, counters: number, hash: number): void {
    const door = this.door;
    if (door !== null && !this.admitThroughDoor(door, hash)) {
      this.countAddition();
      return;
    }
    // Each row owns four words of the block and picks one counter among their 32 (unrolled: the
    // loop form measured about 40 % slower per increment).
    const table = this.table;
    const added =
      bump(table, block + (counters & 3), counters & 28) |
      bump(table, block + 4 + ((counters >>> 8) & 3), (counters >>> 8) & 28) |
      bump(table, block + 8 + ((counters >>> 16) & 3), (counters >>> 16) & 28) |
      bump(table, block + 12 + ((counters >>> 24) & 3), (counters >>> 24) & 28);
    if (added !== 0 || door !== null) this.countAddition();
  }

  /** Records where the key with this hash counts, for the `...Slot` methods. */
  assignSlot(
    slot: number,
    hash: number,
    block = this.blockOf(hash),
    counters = counterHash(hash),
  ): void {
    const memo = this.slotMemo;
    const at = slot * SLOT_FIELDS;
    memo[at + SLOT_BLOCK] = block;
    memo[at + SLOT_COUNTERS] = counters;
    memo[at + SLOT_HASH] = hash;
    memo[at + SLOT_SATURATED_IN] = 0;
  }

  /** The hash a slot was assigned with. */
  slotHash(slot: number): number {
    return this.slotMemo[slot * SLOT_FIELDS + SLOT_HASH];
  }

  /** {@link frequency} of the key assigned to the slot. */
  slotFrequency(slot: number): number {
    const memo = this.slotMemo;
    const at = slot * SLOT_FIELDS;
    return this.frequencyAt(memo[at + SLOT_BLOCK], memo[at + SLOT_COUNTERS], memo[at + SLOT_HASH]);
  }

  /**
   * {@link increment} for the keys assigned to `slots[0 .. count - 1]`, in order: exactly what
   * that many `increment` calls do, in one tight loop (a hit's whole sketch cost). A key whose
   * counters were seen saturated in the current epoch is skipped, since its increment would
   * change nothing and count no addition.
   */
  incrementSlots(slots: Int32Array, count: number): void {
    const memo = this.slotMemo;
    if (this.door !== null) {
      // Every occurrence counts through the doorkeeper; no skipping.
      for (let i = 0; i < count; i++) {
        const at = slots[i] * SLOT_FIELDS;
        this.incrementAt(memo[at + SLOT_BLOCK], memo[at + SLOT_COUNTERS], memo[at + SLOT_HASH]);
      }
      return;
    }
    for (let next = 0; next < count;) {
      next = this.incrementRun(slots, next, count);
      if (this.additions >= this.sampleSize) this.halve();
    }
  }

  /**
   * The loop of {@link incrementSlots}, from `slots[from]` until `count` or until a halving is due
   * (the caller halves): no call inside, so V8 keeps the arrays and counts in registers. Returns
   * the index to resume at.
   */
  private incrementRun(slots: Int32Array, from: number, count: number): number {
    const memo = this.slotMemo;
    const table = this.table;
    const sampleSize = this.sampleSize;
    const epoch = this.epoch;
    let additions = this.additions;
    let i = from;
    while (i < count) {
      const at = slots[i++] << SLOT_SHIFT;
      if (memo[at + SLOT_SATURATED_IN] === epoch) continue;
      const block = memo[at + SLOT_BLOCK];
      const counters = memo[at + SLOT_COUNTERS];
      const added =
        bump(table, (block + (counters & 3)) | 0, counters & 28) |
        bump(table, (block + 4 + ((counters >>> 8) & 3)) | 0, (counters >>> 8) & 28) |
        bump(table, (block + 8 + ((counters >>> 16) & 3)) | 0, (counters >>> 16) & 28) |
        bump(table, (block + 12 + ((counters >>> 24) & 3)) | 0, (counters >>> 24) & 28);
      if (added === 0) {
        memo[at + SLOT_SATURATED_IN] = epoch;
      } else if (++additions >= sampleSize) {
        break;
      }
    }
    this.additions = additions;
    return i;
  }

  /** Estimated occurrences of the key in the current sample, 0..16 (0..15 without a doorkeeper). */
  frequency(hash: number): number {
    return this.frequencyAt(this.blockOf(hash), counterHash(hash), hash);
  }

  /** {@link frequency} for a key whose `blockOf` and `countersOf` are known. */
  frequencyAt(block: number, counters: number, hash: number): number {
    const table = this.table;
    let min = Math.min(
      (table[block + (counters & 3)] >>> (counters & 28)) & 15,
      (table[block + 4 + ((counters >>> 8) & 3)] >>> ((counters >>> 8) & 28)) & 15,
      (table[block + 8 + ((counters >>> 16) & 3)] >>> ((counters >>> 16) & 28)) & 15,
      (table[block + 12 + ((counters >>> 24) & 3)] >>> ((counters >>> 24) & 28)) & 15,
    );
    if (this.door !== null && this.inDoor(this.door, hash)) min++;
    return min;
  }

  /** Forgets everything. */
  clear(): void {
    this.table.fill(0);
    this.door?.fill(0);
    this.additions = 0;
    this.epoch++;
  }

  private countAddition(): void {
    if (++this.additions >= this.sampleSize) this.halve();
  }

  /** Halves every counter and empties the doorkeeper: the aging step that keeps TinyLFU fresh. */
  private halve(): void {
    const odd = halveCounters(this.table);
    // Integer halving drops each odd counter's half; take that out of the addition count too.
    this.additions = Math.max(0, (this.additions - (odd >>> 2)) >>> 1);
    this.door?.fill(0);
    this.epoch++;
  }

  /** Sets the key's doorkeeper bits; true when they were all set already (a repeat visitor). */
  private admitThroughDoor(door: Uint32Array, hash: number): boolean {
    const mask = this.doorMask;
    const first = mix32(hash ^ DOOR_SEED);
    const step = Math.imul(first, 0x9e3779b1) | 1;
    let seen = true;
    for (let i = 0, bit = first; i < DOOR_HASHES; i++, bit = (bit + step) | 0) {
      const index = bit & mask;
      const word = door[index >>> 5];
      const flag = 1 << (index & 31);
      if ((word & flag) === 0) {
        seen = false;
        door[index >>> 5] = word | flag;
      }
    }
    return seen;
  }

  private inDoor(door: Uint32Array, hash: number): boolean {
    const mask = this.doorMask;
    const first = mix32(hash ^ DOOR_SEED);
    const step = Math.imul(first, 0x9e3779b1) | 1;
    for (let i = 0, bit = first; i < DOOR_HASHES; i++, bit = (bit + step) | 0) {
      const index = bit & mask;
      if ((door[index >>> 5] & (1 << (index & 31))) === 0) return false;
    }
    return true;
  }
}

/** Eight bits per row: two pick the row's word in the block, three the nibble in that word. */
function counterHash(hash: number): number {
  let h = Math.imul(hash ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}

/**
 * Halves every 4-bit counter in place; returns how many were odd (each lost half an
 * occurrence). A function of its own, so V8 optimizes the loop apart from `halve`'s field
 * updates (inlined there, the loop's on-stack replacement deoptimized at every halving).
 */
function halveCounters(table: Uint32Array): number {
  let odd = 0;
  // Each nibble of `lows` counts the odd counters at its position in eight words, summed once
  // per eight words instead of a popcount per word; unrolled, as the table length is a multiple
  // of 16 (halving measured about twice as fast as a loop with a popcount).
  for (let i = 0; i < table.length; i += 8) {
    let word = table[i];
    let lows = word & LOW_BITS;
    table[i] = (word >>> 1) & HALVE_MASK;
    word = table[i + 1];
    lows += word & LOW_BITS;
    table[i + 1] = (word >>> 1) & HALVE_MASK;
    word = table[i + 2];
    lows += word & LOW_BITS;
    table[i + 2] = (word >>> 1) & HALVE_MASK;
    word = table[i + 3];
    lows += word & LOW_BITS;
    table[i + 3] = (word >>> 1) & HALVE_MASK;
    word = table[i + 4];
    lows += word & LOW_BITS;
    table[i + 4] = (word >>> 1) & HALVE_MASK;
    word = table[i + 5];
    lows += word & LOW_BITS;
    table[i + 5] = (word >>> 1) & HALVE_MASK;
    word = table[i + 6];
    lows += word & LOW_BITS;
    table[i + 6] = (word >>> 1) & HALVE_MASK;
    word = table[i + 7];
    lows += word & LOW_BITS;
    table[i + 7] = (word >>> 1) & HALVE_MASK;
    odd += nibbleSum(lows);
  }
  return odd;
}

/** Adds one to the counter at `shift` in `table[index]` unless it is 15; returns 1 if it added. */
function bump(table: Uint32Array, index: number, shift: number): number {
  const word = table[index];
  if (((word >>> shift) & 15) === 15) return 0;
  table[index] = word + (1 << shift);
  return 1;
}

/** Sum of a word's eight 4-bit fields. */
function nibbleSum(word: number): number {
  const bytes = (word & 0x0f0f0f0f) + ((word >>> 4) & 0x0f0f0f0f);
  return Math.imul(bytes, 0x01010101) >>> 24;
}
