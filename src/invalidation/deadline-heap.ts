/**
 * A binary min-heap of (deadline, id, version) with lazy deletion: a changed deadline is pushed
 * again under a new version and the old item is skipped when it surfaces, which keeps updates
 * O(log n) without a position index.
 */
export interface Deadline {
  at: number;
  id: string;
  version: number;
}

export class DeadlineHeap {
  private readonly items: Deadline[] = [];

  get size(): number {
    return this.items.length;
  }

  push(at: number, id: string, version: number): void {
    const items = this.items;
    items.push({ at, id, version });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].at <= items[i].at) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  /** The earliest item due at or before `now`, removed; undefined when none is due. */
  popDue(now: number): Deadline | undefined {
    const items = this.items;
    if (items.length === 0 || items[0].at > now) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left].at < items[smallest].at) smallest = left;
        if (right < items.length && items[right].at < items[smallest].at) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
