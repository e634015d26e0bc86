/**
 * Reads YAML text into plain values without ever creating an object from a hostile key.
 *
 * The document is parsed with merge keys off (YAML 1.2) and converted to Maps first, so no key
 * can touch an object's prototype during parsing; only the `cache:` section is then copied into
 * null-prototype objects, rejecting `__proto__`, `constructor` and `prototype` keys and merge keys
 * (`<<`) with their path. Other top-level sections belong to other tools and are left alone, merge
 * keys included. Aliases of whole values are resolved (bounded by yaml's alias-count limit).
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from "yaml";
import { CacheConfigError } from "../core/errors.js";

/** Keys that could reach an object's prototype in later code: never accepted. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** A path inside the document: map keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

/**
 * A problem at a path of the document, before it is known where in the file that path is;
 * load.ts turns it into a CacheConfigValidationError with the line and file.
 */
export class ConfigPathError extends Error {
  constructor(
    readonly configPath: ConfigPath,
    message: string,
  ) {
    super(message);
  }
}

/** `cache.multi_level.l1.max_size`, `cache.invalidation.watch_files[0]`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

export interface YamlSource {
  /** The `cache:` section as parsed (Maps, arrays, scalars), for {@link toPlainTree}; undefined when absent. */
  cache: unknown;
  /** `line 5, column 3` for a path of the document (starting at `cache`), when it is there. */
  locate(path: ConfigPath): string | undefined;
}

/** Largest config file read, in characters: a profile is a few kilobytes. */
const MAX_TEXT = 1 << 20;

export function parseYamlSource(text: string, file = "config"): YamlSource {
  if (text.length > MAX_TEXT) {
    throw new CacheConfigError(file, `is ${text.length} characters; the limit is ${MAX_TEXT}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    merge: false,
    uniqueKeys: true,
    prettyErrors: true,
  });
  // Unknown tags (`!!js/function`) are only warnings to yaml; for a config they are mistakes.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    throw new CacheConfigError(where, `invalid YAML: ${problem.message.split("\n")[0]}`);
  }
  let root: unknown;
  try {
    root = doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  } catch (error) {
    throw new CacheConfigError(file, `invalid YAML: ${(error as Error).message}`, { cause: error });
  }
  const locate = (path: ConfigPath) => locateNode(doc, lineCounter, path);
  if (root === null || root === undefined) return { cache: undefined, locate };
  if (!(root instanceof Map)) {
    throw new CacheConfigError("(root)", "expected a mapping with a `cache:` section");
  }
  return { cache: root.get("cache"), locate };
}

/**
 * Copies a parsed tree (yaml's Maps, or objects built in code or by JSON.parse) into
 * null-prototype objects and arrays, rejecting merge keys and keys that could reach a prototype.
 * Throws a {@link ConfigPathError}, also for a cycle (a YAML alias inside the value it names).
 */
export function toPlainTree(
  value: unknown,
  path: (string | number)[],
  ancestors = new Set<object>(),
): unknown {
  if (value !== null && typeof value === "object") {
    if (ancestors.has(value)) {
      throw new ConfigPathError(path, "a YAML alias refers to a value that contains it (a cycle)");
    }
    ancestors.add(value);
    try {
      return copyPlain(value, path, ancestors);
    } finally {
      ancestors.delete(value);
    }
  }
  return value;
}

function copyPlain(value: object, path: (string | number)[], ancestors: Set<object>): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => toPlainTree(item, [...path, i], ancestors));
  const isRecord =
    value !== null &&
    typeof value === "object" &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (value instanceof Map || isRecord) {
    const entries = value instanceof Map ? [...value] : Object.entries(value as object);
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of entries) {
      if (typeof key !== "string") {
        throw new ConfigPathError(path, `keys must be strings, got ${JSON.stringify(key)}`);
      }
      if (key === "<<") {
        throw new ConfigPathError(
          [...path, key],
          "YAML merge keys (<<) are not supported: write the keys out (an alias of a whole value, `key: *anchor`, is fine)",
        );
      }
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ConfigPathError(
          [...path, key],
          "forbidden key (__proto__, constructor and prototype are never accepted)",
        );
      }
      out[key] = toPlainTree(item, [...path, key], ancestors);
    }
    return out;
  }
  throw new ConfigPathError(path, "expected a plain value, mapping or list");
}

function locateNode(doc: Document, lines: LineCounter, path: ConfigPath): string | undefined {
  // A missing key (a required one left out) is reported where its mapping is.
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const part of path) {
    while (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
      node = node.items[part];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return `line ${line}, column ${col}`;
}
