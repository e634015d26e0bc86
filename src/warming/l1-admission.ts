/**
 * The L1 capacity rule: warming never evicts an entry that scores higher than the one it brings
 * in. Candidates arrive best first. While L1 has free slots they take them; once it is full, a
 * candidate displaces the lowest-scoring resident only when it scores strictly higher, and the
 * first candidate that does not ends the run: every later candidate scores lower still.
 *
 * Residents are scored by the run's own strategy (0 when the access log does not know them) and
 * listed only when free slots run out. A reservation whose value then cannot be fetched is
 * released, giving its slot or victim back.
 */
import { composeKey } from "../core/keys.js";

export interface Resident {
  key: string;
  namespace: string;
  score: number;
}

/** A free slot (`victim` undefined) or a resident to remove first. */
export interface Reservation {
  victim: Resident | undefined;
}

export class L1Admission {
  private heap: Resident[] | undefined;
  /** Residents promised away, by composed key. */
  private readonly victims = new Set<string>();

  constructor(
    private free: number,
    private readonly listResidents: () => Promise<Resident[]>,
  ) {}

  /** A slot for a candidate scoring `score`, or undefined when the rule turns it away. */
  async reserve(score: number): Promise<Reservation | undefined> {
    if (this.free > 0) {
      this.free--;
      return { victim: undefined };
    }
    this.heap ??= heapify(await this.listResidents());
    const lowest = this.heap[0];
    if (lowest === undefined || lowest.score >= score) return undefined;
    pop(this.heap);
    this.victims.add(composeKey(lowest.namespace, lowest.key));
    return { victim: lowest };
  }

  release(reservation: Reservation): void {
    const victim = reservation.victim;
    if (victim === undefined) {
      this.free++;
      return;
    }
    this.victims.delete(composeKey(victim.namespace, victim.key));
    push(this.heap!, victim);
  }

  /**
   * True when a resident is already promised to a higher candidate. Met as a candidate itself, it
   * ends the run: every later candidate scores no higher, and every resident left scores no lower.
   */
  isVictim(key: string, namespace: string): boolean {
    return this.victims.size > 0 && this.victims.has(composeKey(namespace, key));
  }
}

// A binary min-heap on `score`, in an array.

function heapify(items: Resident[]): Resident[] {
  for (let i = (items.length >> 1) - 1; i >= 0; i--) siftDown(items, i);
  return items;
}

function push(heap: Resident[], item: Resident): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent].score <= item.score) break;
    heap[i] = heap[parent];
    i = parent;
  }
  heap[i] = item;
}

function pop(heap: Resident[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown(heap: Resident[], start: number): void {
  const item = heap[start];
  let i = start;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) break;
    if (child + 1 < heap.length && heap[child + 1].score < heap[child].score) child++;
    if (heap[child].score >= item.score) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = item;
}
