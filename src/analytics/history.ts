/** Running totals at one moment; rates over a window are differences of two of these. */
export interface Totals {
  reads: number;
  hits: number;
  misses: number;
  l1Hits: number;
  l1Misses: number;
  l2Hits: number;
  l2Misses: number;
  sets: number;
  evictions: number;
  errors: number;
}

/** One sample of the time series (one per `sampleInterval`). */
export interface HistoryPoint {
  /** Clock time, epoch ms. */
  t: number;
  totals: Totals;
  /** Hit rates within the interval that ended at `t`; null when nothing was read. */
  hitRate: number | null;
  l1HitRate: number | null;
  l2HitRate: number | null;
  /** Read latency percentiles within the interval, ms; null when nothing was read. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  readsPerSec: number;
  l1Size: number;
  l2Size: number | null;
  l1Bytes: number;
}

/** Columns of the time series as served by `/api/stats`, oldest first. */
export type HistorySeries = { [K in Exclude<keyof HistoryPoint, "totals">]: (number | null)[] };

const COLUMNS = [
  "t",
  "hitRate",
  "l1HitRate",
  "l2HitRate",
  "p50Ms",
  "p95Ms",
  "p99Ms",
  "readsPerSec",
  "l1Size",
  "l2Size",
  "l1Bytes",
] as const satisfies readonly (keyof HistorySeries)[];

/** A ring of the most recent samples: fixed memory, one small object per sample. */
export class History {
  private readonly ring: (HistoryPoint | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<HistoryPoint | undefined>(capacity).fill(undefined);
  }

  push(point: HistoryPoint): void {
    this.ring[this.next] = point;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Samples, oldest first. */
  points(): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let i = 0; i < this.count; i++) {
      out.push(this.ring[(this.next - this.count + i + this.capacity) % this.capacity]!);
    }
    return out;
  }

  latest(): HistoryPoint | undefined {
    return this.count === 0
      ? undefined
      : this.ring[(this.next - 1 + this.capacity) % this.capacity];
  }

  /** The newest sample taken at or before `time`, else the oldest one kept. */
  atOrBefore(time: number): HistoryPoint | undefined {
    let found: HistoryPoint | undefined;
    for (let i = this.count - 1; i >= 0; i--) {
      found = this.ring[(this.next - this.count + i + this.capacity) % this.capacity]!;
      if (found.t <= time) return found;
    }
    return found;
  }

  series(): HistorySeries {
    const points = this.points();
    const out = {} as HistorySeries;
    for (const column of COLUMNS) out[column] = points.map((p) => p[column]);
    return out;
  }
}
