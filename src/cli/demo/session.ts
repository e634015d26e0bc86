/**
 * Replays one session of the workload through a CacheSystem: LLM questions through the semantic
 * cache, tool calls and file analyses through `getOrSet` with their file dependencies in the
 * invalidator, and edits (the agent's own, invalidated explicitly; the user's, found by the file
 * watcher). Every answer about a file is compared with a fresh computation from the file as it
 * is now.
 */
import { realpathSync } from "node:fs";
import type { CacheSystem } from "../../config/system.js";
import type { AccessResult } from "../../multilevel/types.js";
import { SimulatedBackend, tokens, type ModelledCall } from "./backend.js";
import type { QuestionTopic } from "./questions.js";
import type { RequestKind, Source, Tally } from "./results.js";
import type { Step } from "./workload.js";
import { analyse, type Workspace } from "./workspace.js";

const SYSTEM_PROMPT =
  "You are a senior software engineer helping a developer in their repository. Answer concisely, with a short code example when it helps.";
const MODEL = "gpt-4o";
/** How long a user edit may take to reach the watcher before the demo checks files itself. */
const WATCHER_WAIT_MS = 5000;

interface Answer {
  topic: number;
  text: string;
}

/** Counters shared by the sessions of one run. */
export interface SessionCounters {
  paraphrasedAsks: number;
  paraphraseHits: number;
  wrongAnswers: number;
  edits: { agent: number; user: number; offline: number };
  watcherFallbacks: number;
  answersChecked: number;
  answersAfterEdits: number;
  staleAnswers: number;
  backendCalls: Record<RequestKind, number>;
  editedFiles: Set<string>;
}

export function newCounters(): SessionCounters {
  return {
    paraphrasedAsks: 0,
    paraphraseHits: 0,
    wrongAnswers: 0,
    edits: { agent: 0, user: 0, offline: 0 },
    watcherFallbacks: 0,
    answersChecked: 0,
    answersAfterEdits: 0,
    staleAnswers: 0,
    backendCalls: { llm: 0, tool: 0, analysis: 0 },
    editedFiles: new Set(),
  };
}

export interface SessionContext {
  system: CacheSystem;
  workspace: Workspace;
  topics: readonly QuestionTopic[];
  backend: SimulatedBackend;
  tally: Tally;
  counters: SessionCounters;
  /** Real time to wait between steps (the live dashboard), ms. */
  paceMs: number;
  onStep?: () => void;
}

/** Modelled answer length of a topic's answer, in tokens: fixed per topic, 150–600. */
function answerTokens(topic: number): number {
  return 150 + (((topic * 2654435761) >>> 0) % 451);
}

export async function replaySession(ctx: SessionContext, steps: readonly Step[]): Promise<void> {
  const { cache } = ctx.system;
  let lastAccess: AccessResult = "miss";
  const off = cache.events.on("access", (e) => {
    lastAccess = e.result;
  });
  try {
    for (const step of steps) {
      if (step.kind === "llm") await askLlm(ctx, step.topic, step.wording);
      else if (step.kind === "edit") await edit(ctx, step.by, step.file);
      else {
        lastAccess = "miss";
        await callThroughCache(ctx, step, () => lastAccess);
      }
      ctx.onStep?.();
      if (ctx.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, ctx.paceMs));
    }
  } finally {
    off();
  }
}

async function askLlm(ctx: SessionContext, topic: number, wording: number): Promise<void> {
  const semantic = ctx.system.semantic!;
  const question = ctx.topics[topic].wordings[wording];
  const messages = [
    { role: "system" as const, content: SYSTEM_PROMPT },
    { role: "user" as const, content: question },
  ];
  const modelled = ctx.backend.model(tokens(SYSTEM_PROMPT + question), answerTokens(topic));
  const started = performance.now();
  const hit = await semantic.getSimilar(messages, { model: MODEL });
  let cacheMs = performance.now() - started;
  let source: Source;
  if (wording > 0) ctx.counters.paraphrasedAsks++;
  if (hit) {
    source = hit.exact ? "semanticExact" : "semanticSimilar";
    if (!hit.exact && wording > 0) ctx.counters.paraphraseHits++;
    if ((hit.response as Answer).topic !== topic) ctx.counters.wrongAnswers++;
  } else {
    source = "miss";
    ctx.counters.backendCalls.llm++;
    const answer = ctx.backend.call<Answer>(() => ({
      topic,
      text: `(modelled answer of ${answerTokens(topic)} tokens to: ${ctx.topics[topic].wordings[0]})`,
    }));
    const storing = performance.now();
    await semantic.put(messages, answer, { model: MODEL, finishReason: "stop" });
    cacheMs += performance.now() - storing;
  }
  ctx.tally.record("llm", source, modelled, cacheMs);
}

type CachedStep = Extract<Step, { kind: "tool" | "analysis" }>;

/** The answer a step gets from the project as it is now. */
function compute(ctx: SessionContext, step: CachedStep): unknown {
  const ws = ctx.workspace;
  if (step.kind === "analysis") return analyse(step.file, ws.read(step.file));
  switch (step.tool) {
    case "read_file":
      return { file: step.arg, content: ws.read(step.arg) };
    case "grep":
      return ws.grep(step.arg);
    case "lint":
      return ws.lint(step.arg);
    case "list_dir":
      return ws.list(step.arg);
    case "npm_view":
      return {
        name: step.arg,
        version: `${step.arg.length}.${step.arg.charCodeAt(0) % 10}.0`,
        license: "MIT",
      };
    case "docs_search":
      return [1, 2, 3].map((n) => ({
        title: `${step.arg} (${n})`,
        url: `https://docs.example/${encodeURIComponent(step.arg)}/${n}`,
      }));
  }
}

/** The files a step's answer is derived from. */
function dependencies(ctx: SessionContext, step: CachedStep): string[] {
  if (step.kind === "analysis") return [step.file];
  if (step.tool === "read_file" || step.tool === "lint") return [step.arg];
  if (step.tool === "grep") return [...ctx.workspace.files];
  return [];
}

function modelledCost(ctx: SessionContext, step: CachedStep): ModelledCall {
  // File analyses are LLM calls (the file goes in, a summary comes out); tools cost time only.
  if (step.kind === "analysis")
    return ctx.backend.model(tokens(ctx.workspace.read(step.file)) + 60, 250);
  return { ...ctx.backend.model(0, 0), costUsd: 0 };
}

async function callThroughCache(
  ctx: SessionContext,
  step: CachedStep,
  access: () => AccessResult,
): Promise<void> {
  const { cache, invalidator } = ctx.system;
  const kind: RequestKind = step.kind === "analysis" ? "analysis" : "tool";
  const namespace = kind;
  const key = step.kind === "analysis" ? step.file : `${step.tool}:${step.arg}`;
  const modelled = modelledCost(ctx, step);
  let loaded = false;
  let loaderMs = 0;
  const started = performance.now();
  const value = await cache.getOrSet(
    key,
    () => {
      const t = performance.now();
      loaded = true;
      const v = ctx.backend.call(() => compute(ctx, step));
      loaderMs = performance.now() - t;
      return v;
    },
    { namespace, tags: [step.kind === "analysis" ? "analysis" : `tool:${step.tool}`] },
  );
  const deps = dependencies(ctx, step);
  if (loaded && invalidator) {
    for (const file of deps)
      await invalidator.addDependency(key, namespace, { file: ctx.workspace.absolute(file) });
  }
  const cacheMs = performance.now() - started - loaderMs;
  const result = access();
  const source: Source = loaded ? "miss" : result === "l2_hit" ? "l2" : "l1";
  if (loaded) ctx.counters.backendCalls[kind]++;
  ctx.tally.record(kind, source, modelled, cacheMs);
  if (deps.length > 0) {
    ctx.counters.answersChecked++;
    if (deps.some((file) => ctx.counters.editedFiles.has(file))) ctx.counters.answersAfterEdits++;
    if (JSON.stringify(value) !== JSON.stringify(compute(ctx, step))) ctx.counters.staleAnswers++;
  }
}

async function edit(ctx: SessionContext, by: "agent" | "user", file: string): Promise<void> {
  const invalidator = ctx.system.invalidator!;
  const path = ctx.workspace.absolute(file);
  ctx.counters.editedFiles.add(file);
  if (by === "agent") {
    // The agent knows what it changed: it invalidates at once.
    ctx.workspace.edit(file);
    await invalidator.invalidateDependents({ file: path });
    ctx.counters.edits.agent++;
    return;
  }
  // The user edits in their editor: only the file watcher can tell. With nothing derived from the
  // file yet, the watcher has nothing to do and reports nothing.
  ctx.counters.edits.user++;
  if ((await invalidator.dependentsOf({ file: path })).length === 0) {
    ctx.workspace.edit(file);
    return;
  }
  const real = realpathSync(path);
  const noticed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => done(false), WATCHER_WAIT_MS);
    const off = invalidator.events.on("fileChange", (e) => {
      if (e.changed && (e.path === path || e.path === real)) done(true);
    });
    function done(seen: boolean) {
      clearTimeout(timer);
      off();
      resolve(seen);
    }
  });
  ctx.workspace.edit(file);
  if (!(await noticed)) {
    ctx.counters.watcherFallbacks++;
    await invalidator.checkFiles();
  }
  await invalidator.idle();
}
