/**
 * What the invalidator hears from its cache and from other processes, and how the dependency
 * graph follows:
 *
 * - `set`: a known entry is live again, with its new expiry and tags.
 * - `delete`, `clear`, `invalidateTag` (here, or from another process through the bus): the
 *   entries are gone. Under the `event` and `hybrid` strategies that is an invalidation and
 *   what depends on them is invalidated in the background (`idle()` waits for it); under `ttl`
 *   and `manual` their nodes just die, and stay as ghosts while something depends on them.
 * - `evict` from an L1-only cache: the entry left without being invalidated (with an L2 the entry
 *   lives on there, so an L1 eviction changes nothing).
 *
 * A tag invalidation from another process also reaches this process's semantic cache.
 */
import type { InvalidationMessage } from "../bus/bus.js";
import type { DependencyGraph } from "./graph.js";
import type { ResolvedInvalidatorOptions } from "./options.js";
import { entryId } from "./targets.js";
import type { InvalidationKind } from "./types.js";

/** The parts of the invalidator the listeners drive. */
export interface ListenerHost {
  readonly graph: DependencyGraph | undefined;
  /** True once the persisted graph is in memory. */
  isLoaded(): boolean;
  whenLoaded(fn: () => void): void;
  runInBackground(operation: string, task: () => Promise<unknown>): void;
  collectExpired(): void;
  noteWrite(key: string, namespace: string): void;
  cascade(
    reached: readonly string[],
    roots: readonly string[],
    kind: InvalidationKind | undefined,
    target: string,
  ): Promise<number>;
}

export function listenToCache(
  host: ListenerHost,
  options: ResolvedInvalidatorOptions,
): (() => void)[] {
  const { cache, eventDriven, bus, semantic } = options;
  const graph = host.graph;

  /** Entries `select()` names are gone: cascade (event-driven) or let their nodes die. */
  const gone = (select: (g: DependencyGraph) => string[], target: string): void => {
    if (graph === undefined) return;
    host.whenLoaded(() => {
      host.collectExpired();
      const roots = select(graph).filter((id) => graph.has(id));
      if (roots.length === 0) return;
      if (!eventDriven) {
        for (const id of roots) graph.entryGone(id);
        return;
      }
      const reached = graph.invalidate(roots);
      if (reached.length > roots.length) {
        host.runInBackground("cascade", () => host.cascade(reached, roots, undefined, target));
      }
    });
  };

  const offs: (() => void)[] = [
    cache.events.on("set", ({ key, namespace, tags, expiresAt }) => {
      host.noteWrite(key, namespace);
      // Nothing to update in an empty graph (but a graph still loading may hold this entry).
      if (graph === undefined || (graph.nodeCount === 0 && host.isLoaded())) return;
      const id = entryId(key, namespace);
      host.whenLoaded(() => {
        host.collectExpired();
        graph.entryWritten(id, { expiresAt, tags });
      });
    }),
    cache.events.on("delete", ({ key, namespace }) => {
      host.noteWrite(key, namespace);
      if (graph === undefined) return;
      const id = entryId(key, namespace);
      // The common case, a key the graph does not know (a cascade's own deletes among them).
      if (host.isLoaded() && !graph.has(id)) return;
      gone(() => [id], key);
    }),
    cache.events.on("clear", ({ namespace }) => {
      gone((g) => g.entriesIn(namespace), namespace ?? "*");
    }),
    cache.events.on("invalidateTag", ({ tag }) => {
      gone((g) => g.taggedWith(tag), tag);
    }),
  ];
  if (cache.l2 === undefined && graph !== undefined) {
    offs.push(
      cache.events.on("evict", ({ key, namespace }) => {
        const id = entryId(key, namespace);
        host.whenLoaded(() => {
          host.collectExpired();
          graph.entryGone(id);
        });
      }),
    );
  }
  if (bus !== undefined) {
    offs.push(
      bus.subscribe((message: InvalidationMessage) => {
        const { type, key, namespace, tag } = message;
        if ((type === "set" || type === "delete") && key !== undefined && namespace !== undefined) {
          host.noteWrite(key, namespace);
          if (type === "delete") gone(() => [entryId(key, namespace)], key);
        } else if (type === "clear") {
          gone((g) => g.entriesIn(namespace), namespace ?? "*");
        } else if (type === "tag" && tag !== undefined) {
          gone((g) => g.taggedWith(tag), tag);
          if (semantic !== undefined) {
            host.runInBackground("semantic.invalidateTag", () => semantic.invalidateTag(tag));
          }
        }
      }),
    );
  }
  return offs;
}
