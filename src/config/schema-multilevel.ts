/** The `cache.multi_level` section: the L1, the L2 (LMDB file or Redis), write policy, bus. */
import { MAX_MEMORY_ENTRIES } from "../stores/memory-options.js";
import { z } from "zod";
import {
  DEFAULT_EVICTION_POLICY,
  EVICTION_POLICY_NAMES,
  type EvictionPolicyName,
} from "../eviction/policy.js";
import { WritePolicy, type WritePolicyName } from "../multilevel/types.js";
import { CONFIG_DEFAULTS } from "./defaults.js";
import {
  bool,
  duration,
  expected,
  nonNegativeInteger,
  numberIn,
  oneOf,
  positiveInteger,
  section,
  text,
} from "./schema-fields.js";

const D = CONFIG_DEFAULTS.multi_level;
const EVICTION = EVICTION_POLICY_NAMES as unknown as readonly [
  EvictionPolicyName,
  ...EvictionPolicyName[],
];
const WRITE_POLICIES = Object.values(WritePolicy) as [WritePolicyName, ...WritePolicyName[]];

const redisUrl = z
  .string(expected("a redis:// or rediss:// URL"))
  .regex(/^rediss?:\/\/\S+$/, expected("a redis:// or rediss:// URL"));

const l1 = section(
  {
    type: oneOf(["memory"], { description: "The L1 is always in memory.", default: "memory" }),
    max_size: positiveInteger(
      { description: "Most entries held (allocated up front).", default: D.l1.max_size },
      MAX_MEMORY_ENTRIES,
    ),
    max_bytes: nonNegativeInteger({
      description: "Most bytes held (estimated value sizes); 0 = no byte cap.",
      default: D.l1.max_bytes,
    }),
    ttl: duration({
      description:
        "Time to live of entries set without one; 0 = none. Absent: invalidation.default_ttl, else 300.",
      default: D.l1.ttl,
    }),
    eviction: oneOf(EVICTION, {
      description: "Eviction policy.",
      default: DEFAULT_EVICTION_POLICY,
    }),
    sweep_interval: duration({
      description: "How often expired entries nobody reads are freed; 0 = never.",
      default: D.l1.sweep_interval,
    }),
    clone: bool({
      description: "Store and return structured clones instead of references.",
      default: D.l1.clone,
    }),
  },
  "The in-memory tier.",
);

const guard = z
  .union(
    [
      z.literal(false),
      section(
        {
          timeout: duration({ description: "Longest wait for one L2 call.", default: "500ms" }),
          failure_threshold: positiveInteger({
            description: "Consecutive failures that open the circuit.",
            default: 5,
          }),
          failure_rate: numberIn(0, 1, {
            description: "Failure rate over `window` that opens the circuit.",
            default: 0.5,
          }),
          window: duration({ description: "Window of the failure rate.", default: "10s" }),
          cooldown: duration({ description: "How long the circuit stays open.", default: "5s" }),
        },
        "Timeout and circuit breaker around every L2 call.",
      ),
    ],
    expected("false or a mapping with timeout, failure_threshold, failure_rate, window, cooldown"),
  )
  .meta({ description: "Timeout and circuit breaker around L2 calls, or false for none." });

const l2Common = {
  ttl: duration({
    description:
      "Time to live of L2 entries set without one; 0 = none. Absent: invalidation.default_ttl, else 3600.",
    default: D.l2.ttl,
  }),
  guard,
};

const l2File = section(
  {
    persistence_path: text({
      description:
        "Where the LMDB folder lives. `~` expands; a `.pkl`/`.pickle` name becomes a sibling `.lmdb` folder (`cache_l2.pkl` → `cache_l2.lmdb`); pickle is never read or written.",
      default: D.l2.persistence_path,
    }),
    max_size: nonNegativeInteger({
      description: "Most entries kept (least recently used evicted beyond it); 0 = no cap.",
      default: D.l2.max_size,
    }),
    max_bytes: nonNegativeInteger({
      description: "Most bytes of keys and records kept; 0 = no cap.",
      default: D.l2.max_bytes,
    }),
    eviction: oneOf(["lru", "ttl"], {
      description:
        "Accepted for the seed's profiles: the LMDB tier always reclaims expired entries first, then evicts the least recently used.",
      default: "lru",
    }),
    sweep_interval: duration({
      description: "How often expired entries are reclaimed; 0 = only when evicting.",
      default: D.l2.sweep_interval,
    }),
    on_incompatible: oneOf(["error", "reset"], {
      description:
        "A corrupt or foreign folder: throw, or move it aside (never deleted) and start empty.",
      default: D.l2.on_incompatible,
    }),
    ...l2Common,
  },
  "The persistent tier: an LMDB folder shared by the processes of one machine.",
  { type: oneOf(["file", "lmdb"], { description: "An embedded LMDB folder on this machine." }) },
);

const l2Redis = section(
  {
    prefix: text({ description: "Prefix of every Redis key.", default: D.l2.prefix }),
    command_timeout: duration({
      description: "Longest wait for one command; 0 = none.",
      default: "1s",
    }),
    connect_timeout: duration({ description: "Longest wait to connect.", default: "5s" }),
    max_value_bytes: positiveInteger({
      description: "Largest stored record in bytes.",
      default: 4_194_304,
    }),
    ...l2Common,
  },
  "The shared tier: Redis (eviction follows the server's maxmemory-policy).",
  {
    type: oneOf(["redis"], { description: "A Redis server or cluster shared by many machines." }),
    url: z
      .union(
        [redisUrl, z.array(redisUrl, expected("a list of redis:// URLs")).min(1)],
        expected("a redis:// or rediss:// URL, or a list of them (cluster)"),
      )
      .meta({ description: "The server; a list of URLs means a Redis Cluster." }),
  },
);

const l2 = z
  .discriminatedUnion("type", [l2File, l2Redis], {
    error: (issue: { input?: unknown; code?: string }) => {
      const type = (issue.input as { type?: unknown } | undefined)?.type;
      if (issue.code === "invalid_union") {
        return `expected one of file, lmdb, redis, got ${type === undefined ? "nothing" : JSON.stringify(type)}`;
      }
      return "expected a mapping with a `type` (file, lmdb or redis), or null for no L2";
    },
  })
  .nullable()
  .meta({ description: "The persistent tier, or null for an L1-only cache." });

const writeBack = section(
  {
    interval: duration({ description: "How often queued writes reach L2.", default: "1s" }),
    batch_size: positiveInteger({ description: "Most entries per L2 batch.", default: 100 }),
    max_queue: positiveInteger({ description: "Most writes waiting for L2.", default: 10_000 }),
    flush_on_signals: bool({
      description: "Flush the queue on SIGINT/SIGTERM before the process exits.",
      default: false,
    }),
  },
  "Write-back batching (write_policy: write_back).",
);

const bus = section(
  {
    channel: text({ description: "Pub/sub channel.", default: "victor:bus" }),
    heartbeat_interval: duration({ description: "Heartbeat period.", default: "1s" }),
  },
  "Cross-process invalidation of every process's L1.",
  {
    type: oneOf(["redis"], { description: "Redis pub/sub." }),
    url: redisUrl.meta({ description: "The server." }),
  },
);

export const multiLevelSchema = section(
  {
    enabled: bool({
      description: "false builds an L1-only cache (no L2), whatever l2 says.",
      default: D.enabled,
    }),
    l1,
    l2,
    write_policy: oneOf(WRITE_POLICIES, {
      description: "How writes reach the tiers.",
      default: D.write_policy,
    }),
    write_back: writeBack,
    grace: duration({
      description:
        "Stale-if-error: how long an expired value may still be served when its loader fails.",
      default: D.grace,
    }),
    fail_safe: bool({
      description: "An L2 failure degrades to L1 or the loader instead of failing the call.",
      default: D.fail_safe,
    }),
    latency_sample_every: positiveInteger({
      description:
        "While analytics (or any read observer) watches, time one L1 hit in this many reads; reads below L1 are always timed. 1 times every read.",
      default: D.latency_sample_every,
    }),
    bus,
  },
  "The two-tier cache.",
);

export type MultiLevelSection = z.infer<typeof multiLevelSchema>;
export type L1Section = z.infer<typeof l1>;
export type L2Section = z.infer<typeof l2>;
