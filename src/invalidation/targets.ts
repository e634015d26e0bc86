/**
 * Dependency targets as graph node ids: one string per node, with the kind in its first character,
 * so a cache key, a file and a resource of the same spelling never meet:
 * `k` + composeKey(namespace, key), `f` + absolute path, `r` + resource name.
 */
import { isAbsolute, resolve } from "node:path";
import { CacheConfigError } from "../core/errors.js";
import { assertKey, composeKey, DEFAULT_NAMESPACE, splitKey } from "../core/keys.js";
import type { DependencyNode, DependencyTarget } from "./types.js";

export type NodeKind = "entry" | "file" | "resource";

export function entryId(key: string, namespace: string): string {
  return "k" + composeKey(namespace, key);
}

export function fileId(absolutePath: string): string {
  return "f" + absolutePath;
}

export function kindOf(id: string): NodeKind {
  return id[0] === "k" ? "entry" : id[0] === "f" ? "file" : "resource";
}

/** The key and namespace of an entry node id. */
export function entryOf(id: string): { key: string; namespace: string } {
  return splitKey(id.slice(1));
}

/** Turns a user's target into a node id; `path` names the argument in errors. */
export function targetId(target: DependencyTarget, path: string): string {
  if (typeof target === "string") {
    if (target === "") throw new CacheConfigError(path, "expected a non-empty target");
    assertKey(target, path);
    return isAbsolute(target) ? fileId(resolve(target)) : "r" + target;
  }
  if (target === null || typeof target !== "object") {
    throw new CacheConfigError(
      path,
      `expected a string, { key, namespace }, { file } or { resource }, got ${target === null ? "null" : typeof target}`,
    );
  }
  const record = target as Record<string, unknown>;
  if ("key" in record) {
    assertKey(record.key, `${path}.key`);
    const namespace = record.namespace ?? DEFAULT_NAMESPACE;
    assertKey(namespace, `${path}.namespace`);
    return entryId(record.key, namespace);
  }
  if ("file" in record) {
    if (typeof record.file !== "string" || record.file === "") {
      throw new CacheConfigError(`${path}.file`, "expected a non-empty path");
    }
    return fileId(resolve(record.file));
  }
  if ("resource" in record) {
    if (typeof record.resource !== "string" || record.resource === "") {
      throw new CacheConfigError(`${path}.resource`, "expected a non-empty name");
    }
    assertKey(record.resource, `${path}.resource`);
    return "r" + record.resource;
  }
  throw new CacheConfigError(path, "expected one of the fields key, file or resource");
}

/** The public description of a node id. */
export function describeNode(id: string): DependencyNode {
  switch (kindOf(id)) {
    case "entry":
      return { kind: "entry", ...entryOf(id) };
    case "file":
      return { kind: "file", path: id.slice(1) };
    default:
      return { kind: "resource", name: id.slice(1) };
  }
}
