/**
 * Child Node processes running TypeScript fixtures (through tsx), talking to the test over IPC.
 */
import { spawn, type ChildProcess } from "node:child_process";

export interface ChildMessage {
  kind: string;
  [field: string]: unknown;
}

interface Waiter {
  predicate: (m: ChildMessage) => boolean;
  resolve: (m: ChildMessage) => void;
  reject: (e: Error) => void;
  what: string;
}

export class TsxChild {
  readonly process: ChildProcess;
  readonly messages: ChildMessage[] = [];
  private waiters: Waiter[] = [];
  private exitError: Error | undefined;
  private seq = 0;

  constructor(script: string, args: readonly string[]) {
    this.process = spawn(process.execPath, ["--import", "tsx", script, ...args], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.process.on("message", (raw) => {
      const message = raw as ChildMessage;
      this.messages.push(message);
      const matched = this.waiters.filter((w) => w.predicate(message));
      this.waiters = this.waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.resolve(message);
    });
    this.process.once("exit", (code, signal) => {
      this.exitError = new Error(`fixture ${script} exited (code ${code}, signal ${signal})`);
      for (const w of this.waiters.splice(0))
        w.reject(new Error(`${this.exitError.message} before ${w.what}`));
    });
  }

  send(message: Record<string, unknown>): void {
    this.process.send(message);
  }

  /** The first message (already received or future) matching `predicate`. */
  next(predicate: (m: ChildMessage) => boolean, what = "a message"): Promise<ChildMessage> {
    const seen = this.messages.find(predicate);
    if (seen) return Promise.resolve(seen);
    if (this.exitError)
      return Promise.reject(new Error(`${this.exitError.message} before ${what}`));
    return new Promise((resolve, reject) =>
      this.waiters.push({ predicate, resolve, reject, what }),
    );
  }

  /** Sends a request with a fresh id and resolves with the reply carrying that id. */
  async request(message: Record<string, unknown>): Promise<ChildMessage> {
    const id = ++this.seq;
    const reply = this.next(
      (m) => m.kind === "reply" && m.id === id,
      `reply to ${JSON.stringify(message)}`,
    );
    this.send({ ...message, id });
    const answer = await reply;
    if (answer.error)
      throw new Error(`fixture failed ${JSON.stringify(message)}: ${String(answer.error)}`);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((r) => this.process.once("exit", r));
    this.process.kill("SIGKILL");
    await exited;
  }
}

/** Handles requests inside a fixture: each reply carries the request's id. */
export function serveRequests(
  handle: (request: Record<string, unknown>) => Promise<Record<string, unknown>>,
): void {
  process.on("message", (raw) => {
    const request = raw as Record<string, unknown>;
    handle(request).then(
      (answer) => process.send?.({ kind: "reply", id: request.id, ...answer }),
      (error: unknown) => process.send?.({ kind: "reply", id: request.id, error: String(error) }),
    );
  });
}

/** Sends an unsolicited message from inside a fixture. */
export function notify(message: ChildMessage): void {
  process.send?.(message);
}
