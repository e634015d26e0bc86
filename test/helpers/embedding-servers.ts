/**
 * Local HTTP servers that speak real embedding wire formats, for provider and semantic-cache
 * tests: OpenAI-compatible `POST /v1/embeddings` (also under an Azure-style deployment path)
 * and Ollama's native `POST /api/embed`. Every request is recorded; responses can be scripted
 * (errors, 429 with Retry-After, hangs, connection resets, bad vectors) one request at a time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { HashingEmbedder } from "../../src/semantic/embedders/hashing.js";

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/embeddings` or `/openai/deployments/d/embeddings?api-version=1`. */
  url: string;
  headers: IncomingMessage["headers"];
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
}

/** What the server does with one request. `embed` is the normal answer. */
export type ScriptedResponse =
  | "embed"
  | "hang"
  | "reset"
  | { status: number; body?: unknown; rawBody?: string; headers?: Record<string, string> }
  | { mutate: (vectors: number[][]) => unknown[] };

export interface EmbeddingServerOptions {
  /** Length of the vectors served. @default 8 */
  dimensions?: number;
  /** Wait before each answer, so overlapping requests can be counted. @default 0 */
  delayMs?: number;
  /** OpenAI only: answer `data` in reverse order (clients must sort by `index`). @default false */
  reverseOrder?: boolean;
  /** Scale vectors by this factor (real servers may send unnormalised vectors). @default 1 */
  scale?: number;
}

export interface FakeEmbeddingServer {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Most requests in flight at once, so far. */
  readonly peakConcurrency: number;
  /** Texts the server embedded, over all requests. */
  readonly textsEmbedded: string[];
  /** Queues scripted answers for the next requests; after them, requests are answered normally. */
  script(...responses: ScriptedResponse[]): void;
  /** The vector the server gives `text` (before `scale`). */
  vectorFor(text: string): number[];
  close(): Promise<void>;
}

type Wire = "openai" | "ollama";

/** An OpenAI-compatible server: `POST /v1/embeddings` and `POST /<anything>/embeddings` (Azure). */
export function startOpenAIServer(
  options: EmbeddingServerOptions = {},
): Promise<FakeEmbeddingServer> {
  return startServer("openai", options);
}

/** An Ollama server: `POST /api/embed`. */
export function startOllamaServer(
  options: EmbeddingServerOptions = {},
): Promise<FakeEmbeddingServer> {
  return startServer("ollama", options);
}

async function startServer(
  wire: Wire,
  options: EmbeddingServerOptions,
): Promise<FakeEmbeddingServer> {
  const dimensions = options.dimensions ?? 8;
  const embedder = new HashingEmbedder({ dimensions: Math.max(16, dimensions) });
  const vectorFor = (text: string): number[] =>
    Array.from(embedder.embedOne(text).subarray(0, dimensions));
  const requests: RecordedRequest[] = [];
  const textsEmbedded: string[] = [];
  const queue: ScriptedResponse[] = [];
  const sockets = new Set<Socket>();
  let active = 0;
  let peak = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const scripted = queue.shift() ?? "embed";
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (scripted === "hang") return; // the socket stays open until the client gives up or close()
    if (scripted === "reset") {
      req.socket.destroy();
      return;
    }
    if (typeof scripted === "object" && "status" in scripted) {
      const text =
        scripted.rawBody ?? (scripted.body === undefined ? "" : JSON.stringify(scripted.body));
      res.writeHead(scripted.status, { "content-type": "application/json", ...scripted.headers });
      res.end(text);
      return;
    }
    const route = routeOf(wire, req);
    if (route === undefined) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404 page not found");
      return;
    }
    const input = (body as { input?: unknown } | undefined)?.input;
    const texts = typeof input === "string" ? [input] : input;
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
      const message = "'input' must be a string or an array of strings";
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          wire === "openai" ? openAIError(message, "invalid_request_error") : { error: message },
        ),
      );
      return;
    }
    textsEmbedded.push(...(texts as string[]));
    const vectors = (texts as string[]).map((t) =>
      vectorFor(t).map((x) => x * (options.scale ?? 1)),
    );
    const served =
      typeof scripted === "object" && "mutate" in scripted ? scripted.mutate(vectors) : vectors;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        wire === "openai" ? openAIAnswer(body, served, options) : ollamaAnswer(body, served),
      ),
    );
  };

  const server: Server = createServer((req, res) => {
    active++;
    peak = Math.max(peak, active);
    let counted = true;
    const done = (): void => {
      if (counted) active--;
      counted = false;
    };
    res.on("close", done);
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    textsEmbedded,
    get peakConcurrency() {
      return peak;
    },
    script: (...responses) => queue.push(...responses),
    vectorFor,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function routeOf(wire: Wire, req: IncomingMessage): "embed" | undefined {
  if (req.method !== "POST") return undefined;
  const path = (req.url ?? "").split("?")[0];
  if (wire === "ollama") return path === "/api/embed" ? "embed" : undefined;
  return path === "/v1/embeddings" || path.endsWith("/embeddings") ? "embed" : undefined;
}

/** The body OpenAI answers, including `usage`. */
function openAIAnswer(body: unknown, vectors: unknown[], options: EmbeddingServerOptions): unknown {
  const data = vectors.map((embedding, index) => ({ object: "embedding", index, embedding }));
  if (options.reverseOrder) data.reverse();
  const model = (body as { model?: unknown }).model;
  return {
    object: "list",
    data,
    model,
    usage: { prompt_tokens: vectors.length, total_tokens: vectors.length },
  };
}

/** The body Ollama's /api/embed answers. */
function ollamaAnswer(body: unknown, vectors: unknown[]): unknown {
  const model = (body as { model?: unknown }).model;
  return {
    model,
    embeddings: vectors,
    total_duration: 1000,
    load_duration: 10,
    prompt_eval_count: vectors.length,
  };
}

/** OpenAI's error envelope. */
export function openAIError(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
