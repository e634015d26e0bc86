/**
 * Questions developers ask a coding agent, each with paraphrases a colleague might type instead.
 * Built in, so the demo runs from a fresh clone; `--questions <file>` replaces them with
 * GPTCache-style `{ origin, similar }` pairs (for example ../shared/data/semantic/gptcache-mock-pairs.json).
 */
import { readFile } from "node:fs/promises";
import { CacheConfigError } from "../../core/errors.js";

export interface QuestionTopic {
  /** The wordings of one question: the first is the usual one, the others paraphrases. */
  wordings: readonly string[];
}

const BUILT_IN: readonly (readonly string[])[] = [
  [
    "How do I undo the last git commit but keep my changes?",
    "How can I undo my last git commit and keep the changes?",
  ],
  ["How do I rename a local git branch?", "What is the command to rename a local branch in git?"],
  [
    "How do I delete a remote branch in git?",
    "What is the git command to delete a branch on the remote?",
  ],
  [
    "How do I squash the last three commits into one?",
    "How can I squash my last three git commits into a single commit?",
  ],
  [
    "How do I resolve a merge conflict in git?",
    "What are the steps to resolve a git merge conflict?",
  ],
  [
    "What is the difference between git merge and git rebase?",
    "Explain the difference between git rebase and git merge.",
  ],
  ["How do I read a JSON file in Node.js?", "What is the best way to read a JSON file in Node.js?"],
  [
    "How do I parse command line arguments in Node.js?",
    "How can I parse command-line arguments in a Node.js script?",
  ],
  [
    "How do I run promises in parallel with a concurrency limit?",
    "How can I run promises in parallel but limit the concurrency?",
  ],
  [
    "What is the difference between interface and type in TypeScript?",
    "In TypeScript, what is the difference between a type alias and an interface?",
  ],
  [
    "How do I make all properties of a TypeScript type optional?",
    "How can I make every property of a type optional in TypeScript?",
  ],
  [
    "How do I narrow an unknown value to a string in TypeScript?",
    "How can I narrow a value of type unknown to string in TypeScript?",
  ],
  [
    "What does the satisfies operator do in TypeScript?",
    "What is the TypeScript satisfies operator for?",
  ],
  [
    "How do I configure ESLint for a TypeScript project?",
    "How should I set up ESLint in a TypeScript project?",
  ],
  ["How do I mock a module in vitest?", "How can I mock an imported module with vitest?"],
  [
    "How do I debounce a function in JavaScript?",
    "How can I write a debounce function in JavaScript?",
  ],
  [
    "How do I deep clone an object in JavaScript?",
    "What is the best way to deep clone an object in JavaScript?",
  ],
  ["How do I cancel a fetch request?", "How can I abort a fetch request in JavaScript?"],
  [
    "How do I stream a large file to the HTTP response in Node.js?",
    "How can I stream a big file into an HTTP response with Node.js?",
  ],
  [
    "Why does my Docker container exit immediately?",
    "Why does my docker container stop right after it starts?",
  ],
  ["How do I reduce the size of a Docker image?", "How can I make my Docker image smaller?"],
  [
    "How do I write a multi-stage Dockerfile for a Node.js app?",
    "How do I create a multi-stage Dockerfile for a Node app?",
  ],
  [
    "How do I find which process is listening on port 3000?",
    "How can I see which process is using port 3000?",
  ],
  [
    "How do I add an index to a PostgreSQL table?",
    "How can I create an index on a PostgreSQL table?",
  ],
  [
    "How do I find slow queries in PostgreSQL?",
    "How can I find the slow queries in a PostgreSQL database?",
  ],
  [
    "What is the difference between a left join and an inner join?",
    "Explain the difference between an inner join and a left join in SQL.",
  ],
  ["How do I set an expiry on a Redis key?", "How can I give a Redis key an expiration time?"],
  [
    "How do I profile CPU usage of a Node.js process?",
    "How can I profile the CPU usage of a Node.js application?",
  ],
  [
    "How do I find a memory leak in Node.js?",
    "How can I track down a memory leak in a Node.js app?",
  ],
  [
    "How do I read environment variables in Python?",
    "How can I read an environment variable in Python?",
  ],
  [
    "How do I create a virtual environment in Python?",
    "What is the command to create a Python virtual environment?",
  ],
  [
    "How do I write a GitHub Actions workflow that runs tests on every push?",
    "How can I set up a GitHub Actions workflow to run the tests on each push?",
  ],
  [
    "How do I cache npm dependencies in GitHub Actions?",
    "How can I cache the npm dependencies in a GitHub Actions workflow?",
  ],
  [
    "What is a good regular expression to validate an email address?",
    "Which regular expression should I use to validate email addresses?",
  ],
  [
    "How do I sort an array of objects by a property in JavaScript?",
    "How can I sort an array of objects by one of their properties in JavaScript?",
  ],
  [
    "How do I handle errors in async functions in Express?",
    "How should I handle errors thrown in async Express route handlers?",
  ],
  ["How do I enable CORS in an Express server?", "How can I turn on CORS for an Express app?"],
  ["How do I write a unit test for a React component?", "How can I unit test a React component?"],
  [
    "How do I avoid unnecessary re-renders in React?",
    "How can I prevent unnecessary re-renders of React components?",
  ],
  [
    "How do I paginate results of a REST API?",
    "What is a good way to paginate the results of a REST API?",
  ],
];

export function builtInTopics(): QuestionTopic[] {
  return BUILT_IN.map((wordings) => ({ wordings }));
}

/** Topics from a GPTCache-style file: a JSON list of `{ origin, similar }`. */
export async function loadQuestionPairs(file: string, limit = 200): Promise<QuestionTopic[]> {
  let pairs: unknown;
  try {
    pairs = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CacheConfigError("--questions", `cannot read ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(pairs))
    throw new CacheConfigError("--questions", `${file}: expected a JSON list`);
  const topics: QuestionTopic[] = [];
  // A text that appears in two pairs would make one question's answer count as another's.
  const seen = new Set<string>();
  for (const pair of pairs) {
    if (topics.length === limit) break;
    const { origin, similar } = (pair ?? {}) as { origin?: unknown; similar?: unknown };
    if (typeof origin !== "string" || typeof similar !== "string") {
      throw new CacheConfigError("--questions", `${file}: expected { origin, similar } strings`);
    }
    if (seen.has(origin) || seen.has(similar) || origin === similar) continue;
    seen.add(origin).add(similar);
    topics.push({ wordings: [origin, similar] });
  }
  return topics;
}
