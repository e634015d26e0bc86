/**
 * Named events mapped to what they invalidate: `on("config.updated", { tags: ["config"] })`, or a
 * function of the payload given to `emit`. Fixed rules are checked when registered, a function's
 * result when the event fires; either way a bad rule is a CacheConfigError naming its field.
 */
import { CacheConfigError } from "../core/errors.js";
import { assertKey, DEFAULT_NAMESPACE } from "../core/keys.js";
import { targetId } from "./targets.js";
import type { InvalidationRule, InvalidationRuleSpec } from "./types.js";

/** A rule reduced to what the invalidator acts on. */
export interface ResolvedRule {
  tags: string[];
  keys: { key: string; namespace: string }[];
  namespaces: string[];
  /** Node ids of the targets whose dependents go. */
  dependents: string[];
}

const FIELDS = new Set(["tags", "keys", "namespaces", "dependents"]);

export function assertEventName(event: unknown): asserts event is string {
  if (typeof event !== "string" || event === "") {
    throw new CacheConfigError(
      "event",
      `expected a non-empty event name, got ${JSON.stringify(event)}`,
    );
  }
}

function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new CacheConfigError(path, "expected an array");
  return value;
}

/** Checks a rule spec and turns it into node ids and namespaced keys. */
export function resolveRule(spec: unknown, path: string): ResolvedRule {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new CacheConfigError(
      path,
      "expected { tags, keys, namespaces, dependents } or a function",
    );
  }
  for (const field of Object.keys(spec)) {
    if (!FIELDS.has(field)) {
      throw new CacheConfigError(
        `${path}.${field}`,
        "unknown field; expected tags, keys, namespaces or dependents",
      );
    }
  }
  const rule = spec as InvalidationRuleSpec;
  const tags = list(rule.tags, `${path}.tags`).map((tag, i) => {
    assertKey(tag, `${path}.tags[${i}]`);
    return tag;
  });
  const keys = list(rule.keys, `${path}.keys`).map((item, i) => {
    if (typeof item === "string") {
      assertKey(item, `${path}.keys[${i}]`);
      return { key: item, namespace: DEFAULT_NAMESPACE };
    }
    if (item === null || typeof item !== "object") {
      throw new CacheConfigError(`${path}.keys[${i}]`, "expected a key or { key, namespace }");
    }
    const { key, namespace = DEFAULT_NAMESPACE } = item as { key: unknown; namespace?: unknown };
    assertKey(key, `${path}.keys[${i}].key`);
    assertKey(namespace, `${path}.keys[${i}].namespace`);
    return { key, namespace };
  });
  const namespaces = list(rule.namespaces, `${path}.namespaces`).map((namespace, i) => {
    assertKey(namespace, `${path}.namespaces[${i}]`);
    return namespace;
  });
  const dependents = list(rule.dependents, `${path}.dependents`).map((target, i) =>
    targetId(target as never, `${path}.dependents[${i}]`),
  );
  return { tags, keys, namespaces, dependents };
}

type Registered = { rule: InvalidationRule; fixed: ResolvedRule | undefined };

export class EventRules {
  private readonly rules = new Map<string, Registered[]>();

  /** Registers a rule; returns a function that removes it. */
  on(event: string, rule: InvalidationRule): () => void {
    assertEventName(event);
    const registered: Registered =
      typeof rule === "function"
        ? { rule, fixed: undefined }
        : { rule, fixed: resolveRule(rule, `on(${JSON.stringify(event)}).rule`) };
    let list = this.rules.get(event);
    if (list === undefined) this.rules.set(event, (list = []));
    list.push(registered);
    return () => {
      const current = this.rules.get(event);
      const index = current?.indexOf(registered) ?? -1;
      if (index >= 0) current!.splice(index, 1);
      if (current?.length === 0) this.rules.delete(event);
    };
  }

  /** The rules `event` fires with `payload`, resolved; functions run in registration order. */
  async resolve(event: string, payload: unknown): Promise<ResolvedRule[]> {
    assertEventName(event);
    const resolved: ResolvedRule[] = [];
    for (const { rule, fixed } of [...(this.rules.get(event) ?? [])]) {
      if (fixed !== undefined) {
        resolved.push(fixed);
        continue;
      }
      const spec = await (rule as (p: unknown) => unknown)(payload);
      if (spec !== undefined)
        resolved.push(resolveRule(spec, `on(${JSON.stringify(event)}).rule(payload)`));
    }
    return resolved;
  }

  get size(): number {
    let count = 0;
    for (const list of this.rules.values()) count += list.length;
    return count;
  }
}
