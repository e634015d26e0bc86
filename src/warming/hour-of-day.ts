/**
 * Hour of day (0..23) of epoch-millisecond instants, in the process's local zone or at a fixed
 * offset. The access log asks for every recorded access, so the local case caches the current
 * hour's bounds and builds a Date only when an instant leaves them.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export class HourOfDay {
  private cachedStart = 0;
  private cachedEnd = 0;
  private cachedHour = 0;
  private readonly offsetMs: number | undefined;

  /** `offset`: minutes east of UTC, or "local". */
  constructor(offset: "local" | number) {
    this.offsetMs = offset === "local" ? undefined : offset * 60_000;
  }

  hourAt(t: number): number {
    if (t >= this.cachedStart && t < this.cachedEnd) return this.cachedHour;
    const { hour, start } = this.resolve(t);
    this.cachedStart = start;
    this.cachedEnd = start + HOUR_MS;
    this.cachedHour = hour;
    return hour;
  }

  /** The first instant after `t` that belongs to the next hour of day. */
  hourEndAfter(t: number): number {
    return this.resolve(t).start + HOUR_MS;
  }

  private resolve(t: number): { hour: number; start: number } {
    if (this.offsetMs !== undefined) {
      const local = (((t + this.offsetMs) % DAY_MS) + DAY_MS) % DAY_MS;
      const hour = Math.floor(local / HOUR_MS);
      return { hour, start: t - (local - hour * HOUR_MS) };
    }
    const date = new Date(t);
    const intoHour = date.getMinutes() * 60_000 + date.getSeconds() * 1000 + date.getMilliseconds();
    return { hour: date.getHours(), start: t - intoHour };
  }

  /**
   * How much of each hour of day the window `[from, to)` covers, in hours (0..1 per hour of a
   * window shorter than a day; a window of several days adds up).
   */
  coverage(from: number, to: number): Float64Array {
    const weights = new Float64Array(24);
    let t = from;
    while (t < to) {
      const { hour, start } = this.resolve(t);
      const end = Math.min(start + HOUR_MS, to);
      weights[hour] += (end - t) / HOUR_MS;
      t = end;
    }
    return weights;
  }
}
