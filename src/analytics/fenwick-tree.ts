/**
 * A Fenwick (binary indexed) tree of integer counts over positions `1 .. size`: point updates and
 * prefix sums in O(log n), in one typed array. SHARDS uses it to count how many sampled keys were
 * referenced after a given logical time, which is the reuse (stack) distance.
 */
export class FenwickTree {
  private readonly tree: Int32Array;

  constructor(readonly size: number) {
    this.tree = new Int32Array(size + 1);
  }

  add(position: number, delta: number): void {
    for (let i = position; i <= this.size; i += i & -i) this.tree[i] += delta;
  }

  /** Sum of positions `1 .. position`. */
  prefix(position: number): number {
    let total = 0;
    for (let i = position; i > 0; i -= i & -i) total += this.tree[i];
    return total;
  }

  clear(): void {
    this.tree.fill(0);
  }

  /** Rebuilds from scratch with a 1 at each of `positions`, in O(size). */
  rebuild(positions: Iterable<number>): void {
    const t = this.tree;
    t.fill(0);
    for (const p of positions) t[p] += 1;
    for (let i = 1; i <= this.size; i++) {
      const parent = i + (i & -i);
      if (parent <= this.size) t[parent] += t[i];
    }
  }
}
