/**
 * The demo's project: a small TypeScript service in a temp folder that the agent reads, greps and
 * analyses, and that the agent and its user edit during the run. Every answer about it is a pure
 * function of the current file contents, so the demo can recompute it to prove that no stale
 * answer was served.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

const MODULES = [
  "src/server.ts",
  "src/routes/users.ts",
  "src/routes/orders.ts",
  "src/db.ts",
  "src/auth.ts",
  "src/cache.ts",
  "src/config.ts",
  "src/utils/format.ts",
  "src/utils/validate.ts",
  "src/jobs/cleanup.ts",
  "test/users.test.ts",
  "test/orders.test.ts",
];

const VERBS = ["load", "save", "find", "list", "check", "format", "parse", "sync", "build", "send"];
const NOUNS = ["User", "Order", "Session", "Token", "Invoice", "Report", "Item", "Config"];

function moduleSource(path: string, index: number): string {
  const imports = MODULES.filter((_, i) => i !== index && (i * 7 + index) % 4 === 0)
    .slice(0, 3)
    .map((m) => `import { helper${MODULES.indexOf(m)} } from "./${basename(m, ".ts")}.js";`);
  const functions = Array.from({ length: 3 + (index % 4) }, (_, i) => {
    const name = `${VERBS[(index + i) % VERBS.length]}${NOUNS[(index * 3 + i) % NOUNS.length]}`;
    const todo = (index + i) % 3 === 0 ? `  // TODO: handle the error case of ${name}\n` : "";
    return `export async function ${name}(input: string): Promise<string> {\n${todo}  return input.trim();\n}\n`;
  });
  return `${imports.join("\n")}\n\nexport const helper${index} = "${path}";\n\n${functions.join("\n")}`;
}

export interface FileAnalysis {
  file: string;
  lines: number;
  functions: string[];
  imports: number;
  todos: number;
  digest: string;
  summary: string;
}

/** What the (modelled) LLM says about a file: derived from its content only. */
export function analyse(file: string, content: string): FileAnalysis {
  const functions = [...content.matchAll(/function (\w+)/g)].map((m) => m[1]);
  const imports = (content.match(/^import /gm) ?? []).length;
  const todos = (content.match(/TODO/g) ?? []).length;
  return {
    file,
    lines: content.split("\n").length,
    functions,
    imports,
    todos,
    digest: createHash("sha256").update(content).digest("hex").slice(0, 12),
    summary: `${basename(file)} exports ${functions.length} functions, imports ${imports} modules and has ${todos} TODOs`,
  };
}

export interface GrepMatch {
  file: string;
  line: number;
}

export class Workspace {
  readonly files: readonly string[] = MODULES;
  private edits = 0;

  constructor(readonly root: string) {}

  /** Writes the project's files. */
  create(): void {
    MODULES.forEach((file, i) => this.write(file, moduleSource(file, i)));
    this.write(
      "package.json",
      JSON.stringify({ name: "shop-api", version: "1.0.0", type: "module" }, null, 2),
    );
  }

  absolute(file: string): string {
    return join(this.root, file);
  }

  read(file: string): string {
    return readFileSync(this.absolute(file), "utf8");
  }

  /** Lines containing `pattern`, across the project's modules (sorted, stable). */
  grep(pattern: string): GrepMatch[] {
    const matches: GrepMatch[] = [];
    for (const file of MODULES) {
      this.read(file)
        .split("\n")
        .forEach((text, i) => {
          if (text.includes(pattern)) matches.push({ file, line: i + 1 });
        });
    }
    return matches;
  }

  /** The functions the project defines, in file order. */
  symbols(): string[] {
    return MODULES.flatMap((file) =>
      [...this.read(file).matchAll(/function (\w+)/g)].map((m) => m[1]),
    );
  }

  /** What a linter says about a file: its long lines and TODOs. */
  lint(file: string): { file: string; problems: string[] } {
    const problems: string[] = [];
    this.read(file)
      .split("\n")
      .forEach((text, i) => {
        if (text.length > 80) problems.push(`${file}:${i + 1}: line longer than 80 characters`);
        if (text.includes("TODO")) problems.push(`${file}:${i + 1}: unresolved TODO`);
      });
    return { file, problems };
  }

  /** Entries of a folder of the project. */
  list(dir: string): string[] {
    return readdirSync(this.absolute(dir)).sort();
  }

  /** An edit that changes the file's analysis: a new function, and a TODO resolved or added. */
  edit(file: string): void {
    this.edits++;
    const content = this.read(file);
    const name = `${VERBS[this.edits % VERBS.length]}${NOUNS[(this.edits * 5) % NOUNS.length]}V${this.edits}`;
    const changed = content.includes("TODO")
      ? content.replace(/\s*\/\/ TODO[^\n]*/, "")
      : content.replace("return input.trim();", "// TODO: validate input\n  return input.trim();");
    this.write(
      file,
      `${changed}\nexport function ${name}(): number {\n  return ${this.edits};\n}\n`,
    );
  }

  relative(path: string): string {
    return relative(this.root, path);
  }

  private write(file: string, content: string): void {
    const path = this.absolute(file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
