/**
 * The demo's workload: several users of a coding agent over two sessions (with a restart between
 * them), asking questions in their own words, repeating tool calls, having files analysed, and
 * editing files as they go. Generated from a seed, so every run replays the same requests.
 */
import { seededRandom, zipfSampler } from "./backend.js";
import type { QuestionTopic } from "./questions.js";

export const TOOLS = ["read_file", "grep", "lint", "list_dir", "npm_view", "docs_search"] as const;
export type ToolName = (typeof TOOLS)[number];
const DOC_TOPICS = [
  "middleware",
  "errors",
  "streaming",
  "testing",
  "config",
  "types",
  "retries",
  "migration",
  "logging",
  "auth",
  "caching",
  "deploy",
];

export type Step =
  | { kind: "llm"; user: string; topic: number; wording: number }
  | { kind: "tool"; user: string; tool: ToolName; arg: string }
  | { kind: "analysis"; user: string; file: string }
  | { kind: "edit"; by: "agent" | "user"; file: string };

export interface WorkloadPlan {
  users: string[];
  sessions: Step[][];
  /** Files changed while no agent ran (a `git pull` overnight), between the sessions. */
  offlineEdits: string[];
}

export interface WorkloadOptions {
  seed: number;
  users: number;
  /** Requests per user in each session. */
  stepsPerUser: readonly [number, number];
  topics: readonly QuestionTopic[];
  files: readonly string[];
  /** Identifiers of the project, searched for with grep. */
  symbols: readonly string[];
}

const USER_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const GREP_PATTERNS = ["TODO", "export async function", "import", "helper"];
const DIRS = ["src", "src/routes", "src/utils", "test"];
const PACKAGES = [
  "zod",
  "express",
  "vitest",
  "lmdb",
  "redis",
  "yaml",
  "commander",
  "pino",
  "undici",
  "tsx",
  "typescript",
  "eslint",
  "prettier",
  "fastify",
  "prisma",
  "dotenv",
  "jose",
  "ioredis",
  "bullmq",
  "pg",
];

/** When in a session (fraction of its steps) an edit happens, and who makes it. */
const EDITS: readonly (readonly [number, "agent" | "user"])[][] = [
  [
    [0.2, "agent"],
    [0.35, "user"],
    [0.5, "agent"],
    [0.7, "agent"],
    [0.85, "user"],
  ],
  [
    [0.3, "agent"],
    [0.5, "user"],
    [0.65, "agent"],
    [0.8, "user"],
  ],
];

export function planWorkload(options: WorkloadOptions): WorkloadPlan {
  const random = seededRandom(options.seed);
  const users = Array.from(
    { length: options.users },
    (_, i) => USER_NAMES[i % USER_NAMES.length] + (i >= USER_NAMES.length ? i : ""),
  );
  const files = options.files;
  const topicRank = zipfSampler(options.topics.length, 0.9, random);
  const fileRank = zipfSampler(files.length, 1.1, random);
  const patterns = [...GREP_PATTERNS, ...options.symbols];
  const patternRank = zipfSampler(patterns.length, 1, random);
  const packageRank = zipfSampler(PACKAGES.length, 1, random);
  // Documentation searches have a long tail: many queries are asked once or twice.
  const docPackageRank = zipfSampler(PACKAGES.length, 0.6, random);
  const docTopicRank = zipfSampler(DOC_TOPICS.length, 0.6, random);
  // Each user works mostly on their own part of the project: file ranks rotate per user.
  const fileOf = (u: number) => files[(fileRank() + u * 3) % files.length];
  // Each user has a habitual wording of each question, and sometimes uses another.
  const wordingOf = (u: number, topic: number) => {
    const count = options.topics[topic].wordings.length;
    const habit = (u + topic) % count;
    return random() < 0.15 ? Math.floor(random() * count) : habit;
  };

  const step = (u: number): Step => {
    const user = users[u];
    const r = random();
    if (r < 0.3) {
      const topic = topicRank();
      return { kind: "llm", user, topic, wording: wordingOf(u, topic) };
    }
    if (r < 0.75) {
      const t = random();
      if (t < 0.25) return { kind: "tool", user, tool: "read_file", arg: fileOf(u) };
      if (t < 0.45) return { kind: "tool", user, tool: "grep", arg: patterns[patternRank()] };
      if (t < 0.6) return { kind: "tool", user, tool: "lint", arg: fileOf(u) };
      if (t < 0.67)
        return {
          kind: "tool",
          user,
          tool: "list_dir",
          arg: DIRS[Math.floor(random() * DIRS.length)],
        };
      if (t < 0.8) return { kind: "tool", user, tool: "npm_view", arg: PACKAGES[packageRank()] };
      const query = `${PACKAGES[docPackageRank()]} ${DOC_TOPICS[docTopicRank()]}`;
      return { kind: "tool", user, tool: "docs_search", arg: query };
    }
    return { kind: "analysis", user, file: fileOf(u) };
  };

  const sessions = options.stepsPerUser.map((perUser, s) => {
    const total = perUser * users.length;
    const steps: Step[] = [];
    const edits = [...EDITS[s]];
    for (let i = 0; i < total; i++) {
      while (edits.length > 0 && i >= edits[0][0] * total) {
        const [, by] = edits.shift()!;
        // Edits land on files people are working on: the head of some user's ranking.
        steps.push({ kind: "edit", by, file: fileOf(Math.floor(random() * users.length)) });
      }
      steps.push(step(i % users.length));
    }
    return steps;
  });
  const offlineEdits = [fileOf(0), fileOf(1 % users.length)].filter(
    (f, i, all) => all.indexOf(f) === i,
  );
  return { users, sessions, offlineEdits };
}
