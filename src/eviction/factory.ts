import { CacheConfigError } from "../core/errors.js";
import { FifoPolicy } from "./fifo.js";
import { LfuPolicy } from "./lfu.js";
import { LruPolicy } from "./lru.js";
import { S3FifoPolicy } from "./s3-fifo.js";
import { SievePolicy } from "./sieve.js";
import { TtlPolicy } from "./ttl.js";
import { WTinyLfuPolicy } from "./w-tinylfu.js";
import {
  EVICTION_POLICY_NAMES,
  type EvictionPolicyImpl,
  type EvictionPolicyName,
  type EvictionPolicyOptions,
} from "./policy.js";

type PolicyConstructor = new (options: EvictionPolicyOptions) => EvictionPolicyImpl;

const POLICIES: Partial<Record<EvictionPolicyName, PolicyConstructor>> = {
  lru: LruPolicy,
  lfu: LfuPolicy,
  fifo: FifoPolicy,
  ttl: TtlPolicy,
  w_tinylfu: WTinyLfuPolicy,
  s3fifo: S3FifoPolicy,
  sieve: SievePolicy,
};

/**
 * Builds a policy by name. `path` names the option in errors (`l1.evictionPolicy`).
 * Throws a CacheConfigError for an unknown name or a capacity that is not a positive integer.
 */
export function createEvictionPolicy(
  name: EvictionPolicyName,
  options: EvictionPolicyOptions,
  path = "evictionPolicy",
): EvictionPolicyImpl {
  const Policy = POLICIES[name];
  if (!Policy) {
    throw new CacheConfigError(
      path,
      `unknown eviction policy ${JSON.stringify(name)}; expected one of ${EVICTION_POLICY_NAMES.join(", ")}`,
    );
  }
  if (!Number.isInteger(options.capacity) || options.capacity < 1) {
    throw new CacheConfigError(
      path,
      `capacity must be a positive integer, got ${options.capacity}`,
    );
  }
  return new Policy(options);
}
