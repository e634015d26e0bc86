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
  }

  /** Records one occurrence of the key with this 32-bit hash. */
  increment(hash: number): void {
    const door = this.door;
    if (door !== null && !this.admitThroughDoor(door, hash)) {
      this.countAddition();
      return;
    }
    const table = this.table;
    const block = blockOf(hash, this.blockMask);
    const counters = counterHash(hash);
    let added = false;
    for (let row = 0; row < 4; row++) {
      // Each row owns four words of the block and picks one counter among their 32.
      const bits = counters >>> (row << 3);
      const index = block + (row << 2) + (bits & 3);
      const shift = bits & 28;
      const word = table[index];
      if (((word >>> shift) & 15) !== 15) {
        table[index] = word + (1 << shift);
        added = true;
      }
    }
    if (added || door !== null) this.countAddition();
  }

  /** Estimated occurrences of the key in the current sample, 0..16 (0..15 without a doorkeeper). */
  frequency(hash: number): number {
    const table = this.table;
    const block = blockOf(hash, this.blockMask);
    const counters = counterHash(hash);
    let min = 15;
    for (let row = 0; row < 4; row++) {
      const bits = counters >>> (row << 3);
      const count = (table[block + (row << 2) + (bits & 3)] >>> (bits & 28)) & 15;
      if (count < min) min = count;
    }
    if (this.door !== null && this.inDoor(this.door, hash)) min++;
    return min;
  }

  /** Forgets everything. */
  clear(): void {
    this.table.fill(0);
    this.door?.fill(0);
    this.additions = 0;
  }

  private countAddition(): void {
    if (++this.additions >= this.sampleSize) this.halve();
  }

  /** Halves every counter and empties the doorkeeper: the aging step that keeps TinyLFU fresh. */
  private halve(): void {
    const table = this.table;
    let odd = 0;
    for (let i = 0; i < table.length; i++) {
      const word = table[i];
      odd += bitCount(word & LOW_BITS);
      table[i] = (word >>> 1) & HALVE_MASK;
    }
    // Integer halving drops each odd counter's half; take that out of the addition count too.
    this.additions = Math.max(0, (this.additions - (odd >>> 2)) >>> 1);
    this.door?.fill(0);
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

/** First word of the key's block. */
function blockOf(hash: number, blockMask: number): number {
  return (mix32(hash) & blockMask) * BLOCK_WORDS;
}

/** Eight bits per row: two pick the row's word in the block, three the nibble in that word. */
function counterHash(hash: number): number {
  let h = Math.imul(hash ^ 0x5bd1e995, 0x9e3779b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) ^ (h >>> 13);
}

function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
