/**
 * How RedisStore names its Redis keys.
 *
 * ```
 * <prefix>{n:<ns>}:e:<key>    an entry (string: header + msgpack value, see redis-record.ts)
 * <prefix>{n:<ns>}:t:<tag>    the keys of <ns> that carry <tag> (set)
 * <prefix>{t:<tag>}:ns        the namespaces that have entries carrying <tag> (set)
 * ```
 *
 * The `{...}` part is a Redis Cluster hash tag: every key of one namespace, entries and tag sets
 * alike, hashes to the same slot. That is what lets getMany use one MGET, setMany one pipeline
 * to one node, and the tag scripts touch a namespace's entries and tag sets atomically, all
 * without CROSSSLOT errors. `<ns>` and the tag inside a hash tag are percent-escaped so they never
 * contain a brace, which would end the hash tag early.
 */
import { CacheConfigError } from "../core/errors.js";

/** The part of a key inside the braces must not contain braces, or `%` (the escape). */
function escapeHashTagPart(value: string): string {
  return value.replace(/[%{}]/g, (c) => (c === "%" ? "%25" : c === "{" ? "%7B" : "%7D"));
}

function unescapeHashTagPart(value: string): string {
  return value.replace(/%(25|7B|7D)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Escapes the characters Redis's glob (SCAN MATCH) treats specially. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\^]/g, (c) => "\\" + c);
}

export class RedisKeyLayout {
  readonly prefix: string;
  // Escaping costs more than the lookup; namespaces are few. Bounded in case they are not.
  private readonly bases = new Map<string, string>();

  /** `path` names the option in errors (`l2.prefix`). */
  constructor(prefix: string, path: string) {
    if (typeof prefix !== "string") throw new CacheConfigError(path, "must be a string");
    // A brace in the prefix would become the hash tag and put every key in one slot.
    if (/[{}]/.test(prefix))
      throw new CacheConfigError(
        path,
        `must not contain "{" or "}", got ${JSON.stringify(prefix)}`,
      );
    this.prefix = prefix;
  }

  /** `<prefix>{n:<ns>}:`, the start of every key of the namespace. */
  namespaceBase(namespace: string): string {
    let base = this.bases.get(namespace);
    if (base === undefined) {
      base = `${this.prefix}{n:${escapeHashTagPart(namespace)}}:`;
      if (this.bases.size >= 10_000) this.bases.clear();
      this.bases.set(namespace, base);
    }
    return base;
  }

  entryKey(namespace: string, key: string): string {
    return `${this.namespaceBase(namespace)}e:${key}`;
  }

  tagSetKey(namespace: string, tag: string): string {
    return `${this.namespaceBase(namespace)}t:${tag}`;
  }

  tagNamespacesKey(tag: string): string {
    return `${this.prefix}{t:${escapeHashTagPart(tag)}}:ns`;
  }

  /** SCAN pattern for every key of one namespace (entries and tag sets). */
  namespacePattern(namespace: string): string {
    return escapeGlob(this.namespaceBase(namespace)) + "*";
  }

  /** SCAN pattern for the entries of one namespace, or of all when omitted. */
  entryPattern(namespace?: string): string {
    if (namespace !== undefined) return escapeGlob(this.namespaceBase(namespace)) + "e:*";
    return escapeGlob(this.prefix) + "{n:*}:e:*";
  }

  /** SCAN pattern for everything under the prefix. */
  everythingPattern(): string {
    return escapeGlob(this.prefix) + "*";
  }

  /** The namespace and key of an entry key, or undefined for any other key. */
  parseEntryKey(redisKey: string): { namespace: string; key: string } | undefined {
    const start = this.prefix.length;
    if (!redisKey.startsWith(this.prefix) || !redisKey.startsWith("{n:", start)) return undefined;
    const close = redisKey.indexOf("}", start + 3);
    if (close < 0 || !redisKey.startsWith(":e:", close + 1)) return undefined;
    return {
      namespace: unescapeHashTagPart(redisKey.slice(start + 3, close)),
      key: redisKey.slice(close + 4),
    };
  }

  /**
   * The hash tag of a key (the text between its first `{` and the next `}`), or undefined when
   * Redis would hash the whole key. Keys with the same hash tag share a slot.
   */
  static hashTag(redisKey: string): string | undefined {
    const open = redisKey.indexOf("{");
    if (open < 0) return undefined;
    const close = redisKey.indexOf("}", open + 1);
    if (close <= open + 1) return undefined;
    return redisKey.slice(open + 1, close);
  }
}
