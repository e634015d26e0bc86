import { describe, expect, it } from "vitest";
import {
  CacheConfigError,
  CacheConfigValidationError,
  parseConfig,
  validateCacheSection,
} from "../../src/index.js";

/** One malformed config: YAML text, the exact path it must name, a piece of the message. */
type Case = [name: string, yaml: string, path: string, message: string | RegExp];

const l1 = (body: string) => `cache:\n  multi_level:\n    l1:\n${indent(body, 6)}`;
const l2 = (body: string) => `cache:\n  multi_level:\n    l2:\n${indent(body, 6)}`;
const sectionOf = (name: string, body: string) => `cache:\n  ${name}:\n${indent(body, 4)}`;
function indent(body: string, n: number): string {
  return (
    body
      .split("\n")
      .map((line) => " ".repeat(n) + line)
      .join("\n") + "\n"
  );
}

const CASES: Case[] = [
  // wrong types
  [
    "max_size as a word",
    l1("max_size: big"),
    "cache.multi_level.l1.max_size",
    'expected a positive integer, got "big"',
  ],
  [
    "boolean as a string",
    sectionOf("semantic", "enabled: yes"),
    "cache.semantic.enabled",
    'expected true or false, got "yes"',
  ],
  [
    "section as a list",
    "cache:\n  multi_level: [1, 2]\n",
    "cache.multi_level",
    "expected a mapping, got a list",
  ],
  ["cache as a string", "cache: fast\n", "cache", 'expected a mapping, got "fast"'],
  [
    "l1 max_size above what L1 can allocate",
    sectionOf("multi_level", "l1:\n      max_size: 100000000"),
    "cache.multi_level.l1.max_size",
    "expected at most 16777216, got 100000000",
  ],
  [
    "latency_sample_every zero",
    sectionOf("multi_level", "latency_sample_every: 0"),
    "cache.multi_level.latency_sample_every",
    "expected a positive integer, got 0",
  ],
  [
    "watch_files not a list",
    sectionOf("invalidation", "watch_files: src/"),
    "cache.invalidation.watch_files",
    "expected a list of strings",
  ],
  [
    "guard true",
    l2("type: redis\nurl: redis://localhost\nguard: true"),
    "cache.multi_level.l2.guard",
    "expected false or a mapping",
  ],
  [
    "port out of range",
    sectionOf("analytics", "dashboard:\n  port: 70000"),
    "cache.analytics.dashboard.port",
    "expected a port from 0 to 65535, got 70000",
  ],
  // negative and zero sizes
  [
    "negative max_size",
    l1("max_size: -5"),
    "cache.multi_level.l1.max_size",
    "expected a positive integer, got -5",
  ],
  [
    "zero max_size",
    l1("max_size: 0"),
    "cache.multi_level.l1.max_size",
    "expected a positive integer, got 0",
  ],
  [
    "fractional max_size",
    l1("max_size: 1.5"),
    "cache.multi_level.l1.max_size",
    "expected a positive integer, got 1.5",
  ],
  [
    "negative l2 max_size",
    l2("type: file\nmax_size: -1"),
    "cache.multi_level.l2.max_size",
    "expected an integer >= 0, got -1",
  ],
  [
    "zero batch_size",
    "cache:\n  multi_level:\n    write_back:\n      batch_size: 0\n",
    "cache.multi_level.write_back.batch_size",
    "expected a positive integer, got 0",
  ],
  // bad durations
  [
    "word duration",
    l1("ttl: soon"),
    "cache.multi_level.l1.ttl",
    'expected seconds or a duration string ("250ms", "90s", "5m", "1h", "1d"), got "soon"',
  ],
  ["negative duration", l1("ttl: -3"), "cache.multi_level.l1.ttl", "got -3"],
  [
    "duration with spelled unit",
    l2("type: file\nttl: 5 minutes"),
    "cache.multi_level.l2.ttl",
    'got "5 minutes"',
  ],
  [
    "duration as boolean",
    sectionOf("warming", "warm_interval: true"),
    "cache.warming.warm_interval",
    "got true",
  ],
  // unknown keys, with suggestions
  [
    "misspelt key",
    l1("max_sise: 3"),
    "cache.multi_level.l1.max_sise",
    'unknown key; did you mean "max_size"?',
  ],
  ["camelCase key", l1("maxSize: 3"), "cache.multi_level.l1.maxSize", 'did you mean "max_size"?'],
  [
    "key without underscore",
    "cache:\n  multi_level:\n    writepolicy: write_back\n",
    "cache.multi_level.writepolicy",
    'did you mean "write_policy"?',
  ],
  [
    "misspelt section",
    "cache:\n  semantics:\n    enabled: true\n",
    "cache.semantics",
    'did you mean "semantic"?',
  ],
  [
    "misspelt threshold",
    sectionOf("semantic", "similarity_treshold: 0.9"),
    "cache.semantic.similarity_treshold",
    'did you mean "similarity_threshold"?',
  ],
  [
    "unrelated key",
    sectionOf("warming", "colour: blue"),
    "cache.warming.colour",
    /unknown key; expected one of enabled, strategy, /,
  ],
  [
    "key of the other L2 type",
    l2("type: redis\nurl: redis://localhost\nmax_size: 3"),
    "cache.multi_level.l2.max_size",
    /unknown key; expected one of .*url/,
  ],
  // bad enums
  [
    "eviction typo",
    l1("eviction: lru2"),
    "cache.multi_level.l1.eviction",
    'got "lru2"; did you mean "lru"?',
  ],
  [
    "write policy typo",
    "cache:\n  multi_level:\n    write_policy: write_trough\n",
    "cache.multi_level.write_policy",
    'did you mean "write_through"?',
  ],
  [
    "warming strategy typo",
    sectionOf("warming", "strategy: hybird"),
    "cache.warming.strategy",
    'did you mean "hybrid"?',
  ],
  [
    "invalidation strategy",
    sectionOf("invalidation", "strategy: sometimes"),
    "cache.invalidation.strategy",
    "expected one of ttl, event, manual, hybrid",
  ],
  [
    "unknown L2 type",
    l2("type: s3"),
    "cache.multi_level.l2.type",
    'expected one of file, lmdb, redis, got "s3"',
  ],
  ["L2 without type", l2("max_size: 10"), "cache.multi_level.l2.type", "got nothing"],
  [
    "L2 eviction the file tier lacks",
    l2("type: file\neviction: lfu"),
    "cache.multi_level.l2.eviction",
    "expected one of lru, ttl",
  ],
  [
    "on_incompatible",
    l2("type: file\non_incompatible: delete"),
    "cache.multi_level.l2.on_incompatible",
    "expected one of error, reset",
  ],
  // ranges
  [
    "threshold above 1",
    sectionOf("semantic", "similarity_threshold: 1.5"),
    "cache.semantic.similarity_threshold",
    "expected a number from 0 to 1, got 1.5",
  ],
  [
    "threshold below 0",
    sectionOf("semantic", "similarity_threshold: -0.1"),
    "cache.semantic.similarity_threshold",
    "got -0.1",
  ],
  [
    "recency weight",
    sectionOf("warming", "recency_weight: 2"),
    "cache.warming.recency_weight",
    "expected a number from 0 to 1, got 2",
  ],
  [
    "alert rate",
    sectionOf("analytics", "alerts:\n  hit_rate_below: 5"),
    "cache.analytics.alerts.hit_rate_below",
    "got 5",
  ],
  // required keys and URLs
  ["redis without url", l2("type: redis"), "cache.multi_level.l2.url", "got nothing"],
  [
    "redis with an http url",
    l2("type: redis\nurl: http://localhost:6379"),
    "cache.multi_level.l2.url",
    "redis://",
  ],
  [
    "embedder without provider",
    sectionOf("semantic", "embedder:\n  base_url: http://localhost"),
    "cache.semantic.embedder.provider",
    "expected one of hashing, openai",
  ],
  // hostile keys
  [
    "__proto__ key",
    "cache:\n  __proto__:\n    polluted: true\n",
    "cache.__proto__",
    "forbidden key",
  ],
  [
    "constructor key",
    l1("constructor:\n  prototype:\n    polluted: true"),
    "cache.multi_level.l1.constructor",
    "forbidden key",
  ],
  [
    "prototype key",
    sectionOf("semantic", "prototype: {}"),
    "cache.semantic.prototype",
    "forbidden key",
  ],
  [
    "flow-mapping __proto__",
    'cache: {"multi_level": {"__proto__": {"x": 1}}}\n',
    "cache.multi_level.__proto__",
    "forbidden key",
  ],
  // YAML merge keys
  [
    "merge key",
    "defaults: &d\n  max_size: 10\ncache:\n  multi_level:\n    l1:\n      <<: *d\n",
    "cache.multi_level.l1.<<",
    "YAML merge keys (<<) are not supported",
  ],
  [
    "merge key in a list",
    "cache:\n  invalidation:\n    watch_files:\n      - <<: {a: 1}\n",
    "cache.invalidation.watch_files[0].<<",
    "merge keys",
  ],
  // rules across keys
  [
    "write-back without L2",
    "cache:\n  multi_level:\n    l2: null\n    write_policy: write_back\n",
    "cache.multi_level.write_policy",
    "write_back needs an l2",
  ],
  [
    "watching under ttl",
    sectionOf("invalidation", "strategy: ttl\nwatch_files: [src]"),
    "cache.invalidation.watch_files",
    'needs strategy "event" or "hybrid"',
  ],
  [
    "refresh-ahead under event",
    sectionOf("invalidation", "strategy: event\nrefresh_ahead: true"),
    "cache.invalidation.refresh_ahead",
    'needs strategy "ttl" or "hybrid"',
  ],
  [
    "model of no known provider",
    sectionOf("semantic", "embedding_model: nomic-embed-text"),
    "cache.semantic.embedding_model",
    "set cache.semantic.embedder.provider",
  ],
  [
    "embedder key of another provider",
    sectionOf(
      "semantic",
      "embedding_model: text-embedding-3-small\nembedder:\n  provider: openai\n  keep_alive: 5m",
    ),
    "cache.semantic.embedder.keep_alive",
    "does not apply to provider openai",
  ],
  // environment
  [
    "unset variable",
    l2("type: redis\nurl: ${VICTOR_TEST_UNSET_URL}"),
    "cache.multi_level.l2.url",
    "environment variable VICTOR_TEST_UNSET_URL is not set",
  ],
  [
    "malformed reference",
    l1("ttl: ${1BAD}"),
    "cache.multi_level.l1.ttl",
    "is not a variable reference",
  ],
  ["unterminated reference", l1("ttl: ${TTL"), "cache.multi_level.l1.ttl", "unterminated"],
  [
    "typed substitution still checked",
    l1("max_size: ${VICTOR_TEST_SIZE:-lots}"),
    "cache.multi_level.l1.max_size",
    'got "lots"',
  ],
];

describe("malformed configs are rejected with the exact path", () => {
  it(`covers ${CASES.length} cases`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)("%s", (_name, yaml, path, message) => {
    let error: unknown;
    try {
      parseConfig(yaml, { source: "profiles.yaml", env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheConfigError);
    const e = error as CacheConfigValidationError;
    expect(e.code).toBe("ERR_CACHE_CONFIG");
    expect(e.path).toBe(path);
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    if (typeof message === "string") expect(e.message).toContain(message);
    else expect(e.message).toMatch(message);
    expect(e.issues[0].path).toBe(path);
    // Every problem points into the file.
    expect(e.message).toMatch(/\(line \d+, column \d+ of profiles\.yaml\)/);
  });
});

describe("error reports", () => {
  it("lists every problem, not only the first", () => {
    const yaml =
      "cache:\n  multi_level:\n    l1:\n      max_size: big\n      ttl: soon\n      colour: red\n";
    try {
      parseConfig(yaml);
      expect.unreachable();
    } catch (e) {
      const issues = (e as CacheConfigValidationError).issues.map((i) => i.path);
      expect(issues).toEqual(
        expect.arrayContaining([
          "cache.multi_level.l1.max_size",
          "cache.multi_level.l1.ttl",
          "cache.multi_level.l1.colour",
        ]),
      );
      expect((e as Error).message).toContain("(and 2 more problems)");
    }
  });

  it("names the file and line of a YAML syntax problem", () => {
    expect(() => parseConfig("cache:\n  a: 1\n  a: 2\n", { source: "p.yaml" })).toThrow(
      expect.objectContaining({ code: "ERR_CACHE_CONFIG", path: "p.yaml:3:3" }),
    );
    expect(() => parseConfig("cache: [unclosed\n", { source: "p.yaml" })).toThrow(
      /p\.yaml:\d+:\d+: invalid YAML/,
    );
    expect(() => parseConfig('cache:\n  x: !!js/function "f"\n', { source: "p.yaml" })).toThrow(
      /invalid YAML: Unresolved tag/,
    );
  });

  it("bounds alias expansion (billion laughs)", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    lines.push("cache:\n  multi_level: *l");
    expect(() => parseConfig(lines.join("\n"))).toThrow(
      expect.objectContaining({ code: "ERR_CACHE_CONFIG" }),
    );
  });

  it("validates objects built in code the same way", () => {
    expect(() =>
      validateCacheSection(JSON.parse('{"multi_level": {"__proto__": {"x": 1}}}')),
    ).toThrow(expect.objectContaining({ path: "cache.multi_level.__proto__" }));
    expect(() => validateCacheSection({ warming: { strategy: "hybird" } })).toThrow(
      /did you mean "hybrid"/,
    );
    expect(validateCacheSection({ warming: { strategy: "recency" } })?.warming?.strategy).toBe(
      "recency",
    );
  });
});
