import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema, CONFIG_DEFAULTS } from "../../src/index.js";

const COMMITTED = join(import.meta.dirname, "..", "..", "schema", "victor-cache.schema.json");

type Schema = {
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: unknown;
  default?: unknown;
  enum?: unknown[];
};

/** The schema of `cache.<path>`, through nullable/union wrappers. */
function at(schema: Schema, path: string[]): Schema {
  let node: Schema = schema.properties!.cache;
  for (const key of path) {
    const objects = [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap((n) => [
      n,
      ...(n.oneOf ?? []),
    ]);
    node = objects.find((n) => n.properties?.[key])!.properties![key];
  }
  return node;
}

describe("the JSON Schema of profiles.yaml", () => {
  it("schema/victor-cache.schema.json is current (regenerate with `npm run schema`)", () => {
    expect(JSON.parse(readFileSync(COMMITTED, "utf8"))).toEqual(configJsonSchema());
  });

  it("describes the cache section strictly and leaves other sections open", () => {
    const schema = configJsonSchema() as Schema & { $schema: string };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.additionalProperties).not.toBe(false);
    expect(at(schema, ["multi_level", "l1"]).additionalProperties).toBe(false);
    expect(at(schema, ["multi_level", "l1", "max_size"]).default).toBe(
      CONFIG_DEFAULTS.multi_level.l1.max_size,
    );
    expect(at(schema, ["warming", "strategy"]).enum).toEqual([
      "frequency",
      "recency",
      "hybrid",
      "time_based",
      "user_specific",
    ]);
    expect(at(schema, ["multi_level", "l2", "persistence_path"]).default).toBe(
      "~/.victor/cache_l2.lmdb",
    );
    expect(at(schema, ["semantic", "similarity_threshold"])).toMatchObject({
      minimum: 0,
      maximum: 1,
      default: 0.85,
    });
  });
});
