import { CountMinSketch } from "../../src/eviction/count-min-sketch.js";
import { SlotList } from "../../src/eviction/slot-list.js";
import type { WindowTuner } from "../../src/eviction/window-tuner.js";

const NONE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

/** What a {@link ReferenceWTinyLfu} is built with; the same knobs as `WTinyLfuOptions`. */
export interface ReferenceOptions {
  capacity: number;
  initialWindow: number;
  sampleSize: number;
  doorkeeper: boolean;
  tuner: WindowTuner | null;
}

/**
 * W-TinyLFU spelled out the plain way, to check the optimised policy against: three separate
 * lists, every hit applied at once (no read buffer), the sketch fed by key hash on every event
 * (no per-slot positions, no saturated-key skip), demotion as a list move. The rules are the
 * policy's own (window, admission with the flood guard, segmented main region, tuner steps).
 */
export class ReferenceWTinyLfu {
  private readonly window: SlotList;
  private readonly probation: SlotList;
  private readonly protected: SlotList;
  private readonly region: Uint8Array;
  private readonly hashes: Int32Array;
  private readonly sketch: CountMinSketch;
  private windowMax = 1;
  private protectedMax = 0;
  private candidate = -1;
  private lastMissHash = 0;
  private lastMissPending = false;
  private random = 0x2545f491;

  constructor(private readonly options: ReferenceOptions) {
    const slots = options.capacity + 1;
    this.window = new SlotList(slots);
    this.probation = new SlotList(slots);
    this.protected = new SlotList(slots);
    this.region = new Uint8Array(slots);
    this.hashes = new Int32Array(slots);
    this.sketch = new CountMinSketch({
      capacity: options.capacity,
      sampleSize: options.sampleSize,
      doorkeeper: options.doorkeeper,
    });
    this.resetRegions();
  }

  get size(): number {
    return this.window.size + this.probation.size + this.protected.size;
  }

  get windowCapacity(): number {
    return this.windowMax;
  }

  insert(slot: number, hash: number): void {
    if (this.lastMissPending && hash === this.lastMissHash) this.lastMissPending = false;
    else this.recordMiss(hash);
    this.options.tuner?.inserted();
    this.candidate = -1;
    this.hashes[slot] = hash;
    this.push(WINDOW, slot);
    if (this.window.size > this.windowMax) {
      const overflow = this.window.popTail();
      this.push(PROBATION, overflow);
      this.candidate = overflow;
    }
  }

  access(slot: number): void {
    this.sketch.increment(this.hashes[slot]);
    this.touch(slot);
    if (this.options.tuner) this.resize(this.options.tuner.hit());
  }

  update(slot: number): void {
    this.touch(slot);
  }

  miss(hash: number): void {
    this.recordMiss(hash);
    this.lastMissHash = hash;
    this.lastMissPending = true;
  }

  remove(slot: number): void {
    this.unlink(slot);
    if (slot === this.candidate) this.candidate = -1;
  }

  evict(): number {
    const candidate = this.candidate;
    this.candidate = -1;
    let victim = this.probation.last;
    if (victim === candidate) victim = this.protected.last;
    let evicted: number;
    if (candidate === -1) evicted = victim !== -1 ? victim : this.window.last;
    else if (victim === -1) evicted = candidate;
    else evicted = this.admit(candidate, victim) ? victim : candidate;
    this.options.tuner?.dropped(this.hashes[evicted], evicted === candidate);
    this.unlink(evicted);
    return evicted;
  }

  clear(): void {
    for (const list of [this.window, this.probation, this.protected]) list.clear();
    this.region.fill(NONE);
    this.sketch.clear();
    this.options.tuner?.reset();
    this.candidate = -1;
    this.lastMissPending = false;
    this.resetRegions();
  }

  private listOf(region: number): SlotList {
    return region === WINDOW ? this.window : region === PROBATION ? this.probation : this.protected;
  }

  private push(region: number, slot: number): void {
    this.region[slot] = region;
    this.listOf(region).pushHead(slot);
  }

  private unlink(slot: number): void {
    this.listOf(this.region[slot]).unlink(slot);
    this.region[slot] = NONE;
  }

  private resetRegions(): void {
    this.setWindowMax(Math.max(1, Math.round(this.options.capacity * this.options.initialWindow)));
    this.options.tuner?.start(this.windowMax);
  }

  private recordMiss(hash: number): void {
    this.sketch.increment(hash);
    if (this.options.tuner) this.resize(this.options.tuner.miss(hash));
  }

  private admit(candidate: number, victim: number): boolean {
    const candidateFrequency = this.sketch.frequency(this.hashes[candidate]);
    if (candidateFrequency > this.sketch.frequency(this.hashes[victim])) return true;
    if (candidateFrequency < 6) return false;
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return (x & 127) === 0;
  }

  private touch(slot: number): void {
    const region = this.region[slot];
    if (region !== PROBATION) {
      this.listOf(region).moveToHead(slot);
      return;
    }
    this.unlink(slot);
    this.push(PROTECTED, slot);
    if (slot === this.candidate) this.candidate = -1;
    this.demoteOverflow();
  }

  private demoteOverflow(): void {
    while (this.protected.size > this.protectedMax) {
      const demoted = this.protected.popTail();
      this.push(PROBATION, demoted);
    }
  }

  private resize(adjustment: number): void {
    if (adjustment > 0) {
      const quota = Math.min(adjustment, this.options.capacity - 1 - this.windowMax);
      if (quota <= 0) return;
      this.setWindowMax(this.windowMax + quota);
      for (let moved = 0; moved < quota; moved++) {
        let slot = this.probation.last;
        if (slot === -1) slot = this.protected.last;
        if (slot === -1) break;
        this.unlink(slot);
        if (slot === this.candidate) this.candidate = -1;
        this.push(WINDOW, slot);
      }
    } else if (adjustment < 0) {
      const quota = Math.min(-adjustment, this.windowMax - 1);
      if (quota <= 0) return;
      this.setWindowMax(this.windowMax - quota);
      while (this.window.size > this.windowMax) this.push(PROBATION, this.window.popTail());
    }
  }

  private setWindowMax(windowMax: number): void {
    this.windowMax = windowMax;
    this.protectedMax = Math.floor((this.options.capacity - windowMax) * 0.8);
    this.demoteOverflow();
  }
}
