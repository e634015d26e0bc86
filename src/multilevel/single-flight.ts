/**
 * One operation per key at a time: the first caller starts it, every caller that arrives while it
 * runs gets the same promise, and the key is released when it settles (so after an error the next
 * caller starts afresh). Namespaces are nested maps, so a namespace can be released at once.
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Map<string, Promise<T>>>();
  private joinedCount = 0;

  /** Callers that joined a running operation instead of starting one. */
  get joined(): number {
    return this.joinedCount;
  }

  run(key: string, namespace: string, start: () => Promise<T>): Promise<T> {
    let byKey = this.flights.get(namespace);
    const running = byKey?.get(key);
    if (running !== undefined) {
      this.joinedCount++;
      return running;
    }
    // `start` is async, so the release below always runs after the promise is registered.
    const flight: Promise<T> = start().finally(() => {
      const current = this.flights.get(namespace);
      if (current?.get(key) !== flight) return;
      current.delete(key);
      if (current.size === 0) this.flights.delete(namespace);
    });
    if (byKey === undefined) this.flights.set(namespace, (byKey = new Map()));
    byKey.set(key, flight);
    return flight;
  }

  /**
   * Detaches the running operation of a key (after a delete or a set): later callers start a new
   * one instead of joining an operation whose result is already outdated.
   */
  forget(key: string, namespace: string): void {
    if (this.flights.size === 0) return;
    const byKey = this.flights.get(namespace);
    if (byKey === undefined) return;
    byKey.delete(key);
    if (byKey.size === 0) this.flights.delete(namespace);
  }

  /** Detaches every running operation of `namespace`, or of all namespaces. */
  forgetNamespace(namespace?: string): void {
    if (namespace === undefined) this.flights.clear();
    else this.flights.delete(namespace);
  }
}
