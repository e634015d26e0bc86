/**
 * An open-addressing hash table from key hashes to small integer slots, in one Int32Array
 * (linear probing, backward-shift deletion, load factor at most 1/2). Lookups box nothing and
 * allocate nothing, and it costs 8 bytes per entry instead of a Map's ~50. The caller keeps each
 * slot's hash, so the table stores only `slot + 1` (0 marks an empty cell). It starts small and
 * doubles as entries come, up to room for `capacity`: a table sized for what it holds stays in
 * the CPU cache.
 */
export class SlotTable {
  private cells: Int32Array;
  private mask: number;
  private readonly maxCells: number;
  size = 0;

  /**
   * @param capacity most entries held at once
   * @param hashOf the hash of the entry in a slot (the caller's array)
   */
  constructor(
    capacity: number,
    private readonly hashOf: Uint32Array,
  ) {
    let cells = 2;
    while (cells < capacity * 2) cells *= 2;
    this.maxCells = cells;
    this.cells = new Int32Array(Math.min(cells, 64));
    this.mask = this.cells.length - 1;
  }

  /** The slot holding `hash`, or -1. */
  get(hash: number): number {
    const { cells, mask, hashOf } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = cells[i];
      if (cell === 0) return -1;
      if (hashOf[cell - 1] === hash) return cell - 1;
    }
  }

  /** Adds `slot`, whose hash the caller has already stored in `hashOf[slot]`. */
  add(slot: number): void {
    if (2 * (this.size + 1) > this.cells.length && this.cells.length < this.maxCells) this.grow();
    const { cells, mask } = this;
    let i = this.hashOf[slot] & mask;
    while (cells[i] !== 0) i = (i + 1) & mask;
    cells[i] = slot + 1;
    this.size++;
  }

  /** Removes `slot` (which must be present). */
  delete(slot: number): void {
    const { cells, mask, hashOf } = this;
    let i = hashOf[slot] & mask;
    while (cells[i] !== slot + 1) i = (i + 1) & mask;
    // Backward shift: pull later cells of the probe run into the gap so lookups stay correct.
    let gap = i;
    for (let j = (gap + 1) & mask; cells[j] !== 0; j = (j + 1) & mask) {
      const home = hashOf[cells[j] - 1] & mask;
      if (((j - home) & mask) >= ((j - gap) & mask)) {
        cells[gap] = cells[j];
        gap = j;
      }
    }
    cells[gap] = 0;
    this.size--;
  }

  clear(): void {
    this.cells.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const old = this.cells;
    this.cells = new Int32Array(old.length * 2);
    this.mask = this.cells.length - 1;
    this.size = 0;
    for (const cell of old) if (cell !== 0) this.add(cell - 1);
  }
}
