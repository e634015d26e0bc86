/**
 * Field schemas shared by the config sections. Each one carries its own error message, so every
 * problem reads `<path>: expected <what>, got <value>` whatever zod found wrong, and its
 * `description` and `default` for the generated JSON Schema (editor completion).
 */
import { z } from "zod";
import { suggest } from "./did-you-mean.js";

/** How a rejected value is shown in messages: strings quoted, objects summarised. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

type RawIssue = { input?: unknown };

/** An error option for zod: `expected <what>, got <value>`. */
export function expected(what: string): { error: (issue: RawIssue) => string } {
  return { error: (issue) => `expected ${what}, got ${showValue(issue.input)}` };
}

interface FieldMeta {
  description: string;
  default?: unknown;
  [key: string]: unknown;
}

/** A positive integer, at most `max` when given. */
export function positiveInteger(meta: FieldMeta, max?: number) {
  const e = expected("a positive integer");
  const field = z.int(e).min(1, e);
  return (max === undefined ? field : field.max(max, expected(`at most ${max}`))).meta(meta);
}

export function nonNegativeInteger(meta: FieldMeta) {
  const e = expected("an integer >= 0");
  return z.int(e).min(0, e).meta(meta);
}

/** A number in [min, max]. */
export function numberIn(min: number, max: number, meta: FieldMeta) {
  const e = expected(`a number from ${min} to ${max}`);
  return z.number(e).min(min, e).max(max, e).meta(meta);
}

export function nonNegativeNumber(meta: FieldMeta) {
  const e = expected("a number >= 0");
  return z.number(e).min(0, e).meta(meta);
}

export function bool(meta: FieldMeta) {
  return z.boolean(expected("true or false")).meta(meta);
}

export function text(meta: FieldMeta) {
  const e = expected("a non-empty string");
  return z.string(e).min(1, e).meta(meta);
}

/** Same grammar as core/duration.ts (`toMillis`), so anything accepted here converts there. */
export const DURATION_PATTERN = /^\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)?\s*$/;
const DURATION_WHAT = 'seconds or a duration string ("250ms", "90s", "5m", "1h", "1d")';

/** Seconds (a number >= 0) or a duration string. */
export function duration(meta: FieldMeta) {
  const e = expected(DURATION_WHAT);
  return z.union([z.number(e).min(0, e), z.string(e).regex(DURATION_PATTERN, e)], e).meta(meta);
}

/** One of `values`; a near miss gets a did-you-mean. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, meta: FieldMeta) {
  return z
    .enum(values, {
      error: (issue: RawIssue) => {
        const hint = typeof issue.input === "string" ? suggest(issue.input, values) : undefined;
        const got = showValue(issue.input);
        return `expected one of ${values.join(", ")}, got ${got}${hint ? `; did you mean "${hint}"?` : ""}`;
      },
    })
    .meta(meta);
}

/** A list of non-empty strings. */
export function textList(meta: FieldMeta) {
  return z.array(text({ description: "an item" }), expected("a list of strings")).meta(meta);
}

/** A mapping of strings to strings (HTTP headers, query parameters). */
export function stringMap(meta: FieldMeta) {
  return z
    .record(z.string(), z.string(expected("a string")), expected("a mapping of strings"))
    .meta(meta);
}

/**
 * A mapping whose unknown keys are rejected (with a did-you-mean, see issues.ts): the keys of
 * `optional` may be left out, those of `required` may not.
 */
export function section<
  O extends Record<string, z.ZodType>,
  R extends Record<string, z.ZodType> = Record<never, z.ZodType>,
>(optional: O, description: string, required?: R) {
  const shape = { ...(required ?? ({} as R)) } as Record<string, z.ZodType>;
  for (const [key, schema] of Object.entries(optional)) shape[key] = schema.optional();
  return z
    .strictObject(shape as R & { [K in keyof O]: z.ZodOptional<O[K]> }, expected("a mapping"))
    .meta({ description });
}
