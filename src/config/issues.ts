/**
 * Turns zod's issues into config problems that name the full path (`cache.multi_level.l1.max_size`)
 * and, for unknown keys, the closest allowed key.
 */
import type { z } from "zod";
import { CacheConfigError } from "../core/errors.js";
import { suggest } from "./did-you-mean.js";
import { formatPath, type ConfigPath } from "./yaml-source.js";

/** One problem in a config: where and what. */
export interface ConfigIssue {
  /** Full config path, `cache.multi_level.l1.max_size`. */
  path: string;
  message: string;
  /** `line 5, column 3` in the YAML file, when known. */
  location?: string;
}

/**
 * A config that failed validation. `path` and `message` are the first problem's; `issues` lists
 * them all (what `victor-cache config validate` prints).
 */
export class CacheConfigValidationError extends CacheConfigError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], file: string | undefined) {
    const first = issues[0];
    const where = [first.location, file].filter(Boolean).join(" of ");
    const more =
      issues.length > 1
        ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})`
        : "";
    super(first.path, `${first.message}${where ? ` (${where})` : ""}${more}`);
    this.issues = issues;
  }
}

/** What we read of a zod schema's internals to find the keys allowed at a path. */
interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaLike>;
  innerType?: SchemaLike;
  options?: SchemaLike[];
  element?: SchemaLike;
  valueType?: SchemaLike;
  discriminator?: string;
}
export interface SchemaLike {
  _zod: { def: SchemaDef };
}

const WRAPPERS = new Set([
  "optional",
  "nullable",
  "default",
  "prefault",
  "readonly",
  "nonoptional",
  "catch",
]);

/** The object schemas a value at `path` may be checked against (several inside a union). */
function objectsAt(schema: SchemaLike, path: ConfigPath, input: unknown): SchemaLike[] {
  let candidates: SchemaLike[] = [schema];
  let value = input;
  for (const part of [...path, undefined]) {
    const expanded: SchemaLike[] = [];
    const queue = [...candidates];
    while (queue.length > 0) {
      const s = queue.shift()!;
      const def = s._zod.def;
      if (WRAPPERS.has(def.type) && def.innerType) queue.push(def.innerType);
      else if (def.type === "union" && def.options) queue.push(...pickBranches(def, value));
      else expanded.push(s);
    }
    if (part === undefined) return expanded.filter((s) => s._zod.def.type === "object");
    const next: SchemaLike[] = [];
    for (const s of expanded) {
      const def = s._zod.def;
      if (def.type === "object" && typeof part === "string" && def.shape?.[part])
        next.push(def.shape[part]);
      else if (def.type === "array" && typeof part === "number" && def.element)
        next.push(def.element);
      else if (def.type === "record" && def.valueType) next.push(def.valueType);
    }
    candidates = next;
    value =
      value !== null && typeof value === "object"
        ? (value as Record<string | number, unknown>)[part]
        : undefined;
  }
  return [];
}

/** In a discriminated union, the branch the value's discriminator selects (all when none does). */
function pickBranches(def: SchemaDef, value: unknown): SchemaLike[] {
  const options = def.options ?? [];
  if (!def.discriminator || value === null || typeof value !== "object") return options;
  const tag = (value as Record<string, unknown>)[def.discriminator];
  const chosen = options.filter((option) => {
    const field = option._zod.def.shape?.[def.discriminator!];
    return field !== undefined && acceptsLiteral(field, tag);
  });
  return chosen.length > 0 ? chosen : options;
}

function acceptsLiteral(schema: SchemaLike, value: unknown): boolean {
  const def = schema._zod.def as SchemaDef & {
    entries?: Record<string, unknown>;
    values?: unknown[];
  };
  if (WRAPPERS.has(def.type) && def.innerType) return acceptsLiteral(def.innerType, value);
  if (def.entries) return Object.values(def.entries).includes(value);
  if (def.values) return def.values.includes(value);
  return false;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = suggest(key, allowed);
  if (hint) return `unknown key; did you mean "${hint}"?`;
  return allowed.length > 0 ? `unknown key; expected one of ${allowed.join(", ")}` : "unknown key";
}

/** zod's issues as config issues; `prefix` is where the validated value sits (`["cache"]`). */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: SchemaLike,
  input: unknown,
  prefix: ConfigPath,
  locate: (path: ConfigPath) => string | undefined = () => undefined,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const add = (path: ConfigPath, message: string) => {
    const full = [...prefix, ...path];
    const location = locate(full);
    out.push({ path: formatPath(full), message, ...(location ? { location } : {}) });
  };
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const allowed = objectsAt(schema, path, input).flatMap((s) =>
        Object.keys(s._zod.def.shape ?? {}),
      );
      for (const key of issue.keys)
        add([...path, key], unknownKeyMessage(key, [...new Set(allowed)]));
    } else add(path, issue.message);
  }
  return out;
}
