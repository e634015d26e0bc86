/**
 * Remembers which keys were written, deleted, cleared or tag-invalidated while a warming run was
 * fetching values, so the run does not put a value it read before the change into L1 (which would
 * resurrect a deleted entry or hide a newer write until its TTL ends). The cache's own promotion
 * guards against the same race the same way.
 */
import { composeKey } from "../core/keys.js";

export class ChangeGuard {
  private active = false;
  private readonly keys = new Set<string>();
  private readonly namespaces = new Set<string>();
  private readonly tags = new Set<string>();
  private everything = false;

  begin(): void {
    this.active = true;
  }

  end(): void {
    this.active = false;
    this.keys.clear();
    this.namespaces.clear();
    this.tags.clear();
    this.everything = false;
  }

  key(key: string, namespace: string): void {
    if (this.active) this.keys.add(composeKey(namespace, key));
  }

  clear(namespace: string | undefined): void {
    if (!this.active) return;
    if (namespace === undefined) this.everything = true;
    else this.namespaces.add(namespace);
  }

  tag(tag: string): void {
    if (this.active) this.tags.add(tag);
  }

  changed(key: string, namespace: string, tags: readonly string[] | undefined): boolean {
    if (this.everything || this.namespaces.has(namespace)) return true;
    if (this.keys.size > 0 && this.keys.has(composeKey(namespace, key))) return true;
    return tags !== undefined && this.tags.size > 0 && tags.some((t) => this.tags.has(t));
  }
}
