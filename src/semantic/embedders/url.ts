import { CacheConfigError } from "../../core/errors.js";

/** Checks that `value` is an absolute http(s) URL and returns it without a trailing slash. */
export function requireHttpUrl(value: unknown, path: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new CacheConfigError(path, "must be a URL string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CacheConfigError(path, `is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CacheConfigError(path, `must use http or https, got ${url.protocol}`);
  }
  if (url.search !== "" || url.hash !== "") {
    throw new CacheConfigError(path, "must not carry a query or fragment; use the `query` option");
  }
  return value.replace(/\/+$/, "");
}

/** `base` + `path` (one slash between them) + URL-encoded `query`. */
export function joinUrl(base: string, path: string, query: Record<string, string> = {}): string {
  const url = base + "/" + path.replace(/^\/+/, "");
  const search = new URLSearchParams(query).toString();
  return search === "" ? url : `${url}?${search}`;
}
