/**
 * A log-linear histogram (the HDR-histogram layout): values below `2^subBits` land in unit-wide
 * buckets; above that, every power of two is split into `2^subBits` equal buckets, so a bucket is
 * never wider than `2^-subBits` of its lower bound. Memory is fixed at construction and recording
 * is a few integer operations with no allocation, which is what lets analytics sit on the cache's
 * hot path. Values are in whatever unit the owner chooses (microseconds for latency, entries for
 * reuse distances); values at or above `2^maxExponent` are clamped into the last bucket.
 */
export class LogLinearHistogram {
  /** Weight per bucket (not cumulative). */
  readonly counts: Float64Array;
  /** Total recorded weight. */
  count = 0;
  /** Sum of value × weight, for the mean. */
  sum = 0;
  private readonly mask: number;
  private readonly maxValue: number;

  constructor(
    readonly subBits: number,
    readonly maxExponent: number,
  ) {
    if (subBits < 1 || maxExponent > 31 || maxExponent <= subBits) {
      throw new RangeError(`LogLinearHistogram: need 1 <= subBits < maxExponent <= 31`);
    }
    this.mask = (1 << subBits) - 1;
    this.maxValue = 2 ** maxExponent;
    this.counts = new Float64Array((maxExponent - subBits + 1) << subBits);
  }

  /** Index of the bucket holding `value` (negative values count as 0). */
  bucketOf(value: number): number {
    if (!(value > 0)) return 0;
    if (value >= this.maxValue) return this.counts.length - 1;
    const u = Math.floor(value);
    if (u <= this.mask) return u;
    const exponent = 31 - Math.clz32(u);
    return (
      ((exponent - this.subBits + 1) << this.subBits) +
      ((u >>> (exponent - this.subBits)) & this.mask)
    );
  }

  lowerBound(index: number): number {
    if (index <= this.mask) return index;
    const group = index >>> this.subBits;
    const width = 2 ** (group - 1);
    return 2 ** (group + this.subBits - 1) + (index & this.mask) * width;
  }

  upperBound(index: number): number {
    if (index <= this.mask) return index + 1;
    return this.lowerBound(index) + 2 ** ((index >>> this.subBits) - 1);
  }

  record(value: number, weight = 1): void {
    this.counts[this.bucketOf(value)] += weight;
    this.count += weight;
    this.sum += value * weight;
  }

  /** Mean of the recorded values, 0 when empty. */
  mean(): number {
    return this.count > 0 ? this.sum / this.count : 0;
  }

  /**
   * The value below which a fraction `q` of the weight lies, interpolated linearly inside its
   * bucket, so the error is at most one bucket width. 0 when empty.
   */
  quantile(q: number): number {
    return quantileOf(this, this.counts, this.count, q);
  }

  /** Weight of values below `x`, interpolating linearly inside the bucket that holds `x`. */
  weightBelow(x: number): number {
    if (!(x > 0)) return 0;
    const last = x >= this.maxValue ? this.counts.length : this.bucketOf(x);
    let total = 0;
    for (let i = 0; i < last; i++) total += this.counts[i];
    if (last < this.counts.length) {
      const lo = this.lowerBound(last);
      total += (this.counts[last] * (x - lo)) / (this.upperBound(last) - lo);
    }
    return total;
  }

  /** Copies counts, count and sum into `target` (same shape), for interval deltas. */
  copyTo(target: LogLinearHistogram): void {
    target.counts.set(this.counts);
    target.count = this.count;
    target.sum = this.sum;
  }

  /** Adds every bucket of `other` (same shape) into this one. */
  add(other: LogLinearHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.count += other.count;
    this.sum += other.sum;
  }

  /** Sets this histogram to `a - b` (same shapes): what was recorded between two copies. */
  setDifference(a: LogLinearHistogram, b: LogLinearHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = a.counts[i] - b.counts[i];
    this.count = a.count - b.count;
    this.sum = a.sum - b.sum;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
  }

  /** An empty histogram of the same shape. */
  emptyClone(): LogLinearHistogram {
    return new LogLinearHistogram(this.subBits, this.maxExponent);
  }

  /**
   * Cumulative weight at each upper bound in `bounds` (ascending, in this histogram's unit);
   * a bucket counts toward a bound when it lies entirely at or below it. Bounds that fall on
   * bucket edges (powers of two above `2^subBits`) are therefore exact.
   */
  cumulativeAt(bounds: readonly number[]): number[] {
    const out: number[] = [];
    let i = 0;
    let acc = 0;
    for (const bound of bounds) {
      while (i < this.counts.length && this.upperBound(i) <= bound) acc += this.counts[i++];
      out.push(acc);
    }
    return out;
  }
}

function quantileOf(h: LogLinearHistogram, counts: Float64Array, count: number, q: number): number {
  if (!(count > 0)) return 0;
  const target = Math.min(Math.max(q, 0), 1) * count;
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c <= 0) continue;
    if (acc + c >= target) {
      const lo = h.lowerBound(i);
      return lo + ((h.upperBound(i) - lo) * (target - acc)) / c;
    }
    acc += c;
  }
  return h.upperBound(counts.length - 1);
}
