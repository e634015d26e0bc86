/**
 * Canonical form of a chat request. Two requests that differ only in whitespace, line endings or
 * Unicode composition get the same exact key; the last user message is what the semantic search
 * compares, and everything around it (system prompt, earlier turns, request parameters) becomes
 * a context hash that a similar hit must match exactly.
 */
import { createHash } from "node:crypto";
import { CacheRequestError } from "../core/errors.js";

/** Roles accepted in a request. `developer` is OpenAI's newer name for a system message. */
export const MESSAGE_ROLES = ["system", "developer", "user", "assistant", "tool"] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** A text part of a multi-part message (OpenAI's `{ type: "text", text }`). */
export interface TextPart {
  type: "text";
  text: string;
}

/** One chat message. Content is text, or text parts (other part kinds are refused). */
export interface ChatMessage {
  role: MessageRole | string;
  content: string | readonly TextPart[];
}

/**
 * Request parameters that change the answer (`max_tokens`, `top_p`, `tools`,
 * `response_format`...). They enter the context hash, so a cached answer is only reused for the
 * same parameters. JSON values only; key order does not matter.
 */
export type RequestParams = Readonly<Record<string, unknown>>;

export interface CanonicalRequest {
  /** The last user message, canonicalised: what the embedder sees and the verifier compares. */
  readonly lookupText: string;
  /** SHA-256 (hex) of every other message, in order with its role, and the parameters. */
  readonly contextHash: string;
}

const ROLE_SET: ReadonlySet<string> = new Set(MESSAGE_ROLES);

/**
 * NFKC folds compatibility forms (full-width letters, ligatures, non-breaking spaces) into their
 * plain form. Runs of spaces and tabs inside a line collapse to one space, but indentation
 * relative to the least indented line is kept, because it carries meaning in code (Python blocks,
 * YAML). Trailing spaces and runs of blank lines are dropped. Case is kept: `US` and `us` may
 * differ.
 */
export function canonicaliseText(text: string): string {
  const lines = text.normalize("NFKC").replace(/\r\n?/g, "\n").split("\n");
  const kept: { indent: string; body: string; blankBefore: boolean }[] = [];
  let blank = false;
  for (const line of lines) {
    const indent = /^[ \t]*/.exec(line)![0];
    const body = line
      .slice(indent.length)
      .replace(/[ \t\u00a0\u2000-\u200b\u3000]+/g, " ")
      .trimEnd();
    if (body === "") blank = kept.length > 0;
    else {
      kept.push({ indent, body, blankBefore: blank });
      blank = false;
    }
  }
  const dedent = Math.min(...kept.map((l) => l.indent.length));
  return kept.map((l) => (l.blankBefore ? "\n" : "") + l.indent.slice(dedent) + l.body).join("\n");
}

function contentText(message: ChatMessage, path: string): string {
  const { content } = message;
  if (typeof content === "string") return canonicaliseText(content);
  if (!Array.isArray(content)) {
    throw new CacheRequestError(
      `${path}.content`,
      `expected a string or text parts, got ${typeOf(content)}`,
    );
  }
  const parts: string[] = [];
  content.forEach((part: unknown, i) => {
    const p = part as Partial<TextPart> | null;
    if (p === null || typeof p !== "object" || p.type !== "text" || typeof p.text !== "string") {
      throw new CacheRequestError(
        `${path}.content[${i}]`,
        "only text parts can be cached; a request with images, audio or files is not cacheable",
      );
    }
    parts.push(p.text);
  });
  return canonicaliseText(parts.join("\n"));
}

/**
 * Validates and canonicalises a request. Throws a {@link CacheRequestError} (code
 * `ERR_CACHE_REQUEST`) when `messages` is not a non-empty array, a role is unknown, content is
 * not text, or there is no non-empty user message.
 */
export function canonicaliseRequest(
  messages: readonly ChatMessage[],
  params?: RequestParams,
): CanonicalRequest {
  if (!Array.isArray(messages)) {
    throw new CacheRequestError(
      "messages",
      `expected an array of { role, content }, got ${typeOf(messages)}`,
    );
  }
  if (messages.length === 0)
    throw new CacheRequestError("messages", "is empty; nothing to look up");
  const canonical: [string, string][] = [];
  let lastUser = -1;
  messages.forEach((message: unknown, i) => {
    const path = `messages[${i}]`;
    if (message === null || typeof message !== "object") {
      throw new CacheRequestError(path, `expected { role, content }, got ${typeOf(message)}`);
    }
    const m = message as ChatMessage;
    if (typeof m.role !== "string" || !ROLE_SET.has(m.role)) {
      throw new CacheRequestError(
        `${path}.role`,
        `expected one of ${MESSAGE_ROLES.join(", ")}, got ${describe(m.role)}`,
      );
    }
    const role = m.role === "developer" ? "system" : m.role;
    const text = contentText(m, path);
    if (role === "user" && text !== "") lastUser = i;
    canonical.push([role, text]);
  });
  if (lastUser < 0)
    throw new CacheRequestError("messages", "has no non-empty user message to look up");
  const lookupText = canonical[lastUser][1];
  const context = canonical.filter((_, i) => i !== lastUser);
  // The position of the looked-up message matters too: a trailing assistant prefill is context.
  const paramsJson = params === undefined ? "null" : canonicalJson(params, "params");
  const contextHash = sha256(JSON.stringify([context, lastUser, paramsJson]));
  return { lookupText, contextHash };
}

/** Hard scope of an entry: no lookup ever crosses it. */
export interface ScopeParts {
  readonly tenant: string;
  readonly model: string;
  readonly namespace: string;
}

/**
 * The exact key: SHA-256 over the scope, the context hash and the lookup text, each
 * length-prefixed through JSON so no two different tuples can collide by concatenation.
 */
export function exactKey(scope: ScopeParts, contextHash: string, lookupText: string): string {
  return sha256(
    JSON.stringify(["v1", scope.tenant, scope.model, scope.namespace, contextHash, lookupText]),
  );
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * JSON with object keys sorted, so `{a, b}` and `{b, a}` hash alike. Throws a
 * {@link CacheRequestError} for values JSON cannot represent faithfully.
 */
export function canonicalJson(value: unknown, path: string): string {
  const walk = (v: unknown, at: string): unknown => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (!Number.isFinite(v))
        throw new CacheRequestError(at, `${v} cannot be part of a cache key`);
      return v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${at}[${i}]`));
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) {
        const item = (v as Record<string, unknown>)[k];
        if (item !== undefined) out[k] = walk(item, `${at}.${k}`);
      }
      return out;
    }
    throw new CacheRequestError(
      at,
      `${typeOf(v)} cannot be part of a cache key; use plain JSON values`,
    );
  };
  return JSON.stringify(walk(value, path));
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeOf(value);
}
