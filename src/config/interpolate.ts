/**
 * `${VAR}` and `${VAR:-default}` in string values of the config. A value that is one reference
 * and nothing else takes the type the substituted text has in YAML (`max_size: ${L1_SIZE:-1000}`
 * gives the number 1000); inside a longer string it stays text. `$${` writes a literal `${`.
 */
import { parse as parseYamlScalar } from "yaml";
import { ConfigPathError } from "./yaml-source.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Environment = Readonly<Record<string, string | undefined>>;

/** Returns a copy of `value` (null-prototype objects) with every reference substituted. */
export function interpolate(value: unknown, env: Environment, path: (string | number)[]): unknown {
  if (typeof value === "string") return interpolateString(value, env, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, [...path, i]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value))
      out[key] = interpolate(item, env, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: Environment, path: (string | number)[]): unknown {
  if (!text.includes("${")) return text;
  let out = "";
  let references = 0;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i++];
      continue;
    }
    const end = text.indexOf("}", i);
    if (end < 0) throw bad(path, `unterminated \${ in ${JSON.stringify(text)}`);
    const body = text.slice(i + 2, end);
    const split = body.indexOf(":-");
    const name = split < 0 ? body : body.slice(0, split);
    if (!NAME.test(name)) {
      throw bad(path, `\${${body}} is not a variable reference; use \${NAME} or \${NAME:-default}`);
    }
    const set = env[name];
    if (set !== undefined && set !== "") out += set;
    else if (split >= 0) out += body.slice(split + 2);
    else {
      throw bad(
        path,
        `environment variable ${name} is not set (write \${${name}:-default} to give a fallback)`,
      );
    }
    references++;
    i = end + 1;
  }
  const whole = references === 1 && /^\$\{[^}]*\}$/.test(text);
  return whole ? scalarOf(out) : out;
}

/** The YAML meaning of a substituted value when it stood alone: number, boolean, null or text. */
function scalarOf(text: string): unknown {
  if (text.trim() === "") return text;
  try {
    const value: unknown = parseYamlScalar(text);
    return value === null || ["number", "boolean", "string"].includes(typeof value) ? value : text;
  } catch {
    return text;
  }
}

function bad(path: (string | number)[], message: string): ConfigPathError {
  return new ConfigPathError(path, message);
}
