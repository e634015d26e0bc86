/**
 * The JSON Schema of profiles.yaml, generated from the zod schema, for editor completion and
 * validation (the YAML extension of VS Code and JetBrains IDEs read it through a
 * `# yaml-language-server: $schema=...` comment or their settings). Draft 7, the draft those
 * editors support best. `schema/victor-cache.schema.json` is this output, committed.
 */
import { z } from "zod";
import { profilesFileSchema } from "./schema.js";

export const CONFIG_SCHEMA_ID =
  "https://github.com/victor-cache/victor-cache/schema/victor-cache.schema.json";

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(profilesFileSchema, { io: "input", target: "draft-7" });
  return { ...schema, $id: CONFIG_SCHEMA_ID };
}
