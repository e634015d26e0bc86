/**
 * createCacheSystem: builds every part a {@link CacheSystemConfig} names and wires them together
 * (the semantic cache persists into the cache's L2 and receives the invalidator's tag
 * invalidations; analytics observes the cache and the semantic cache; the warmer feeds on the
 * cache's events), with one `start()` and one `close()`.
 */
import { CacheAnalytics } from "../analytics/cache-analytics.js";
import type { DashboardServer } from "../dashboard/server.js";
import { CacheInvalidator } from "../invalidation/cache-invalidator.js";
import { MultiLevelCache } from "../multilevel/multilevel-cache.js";
import { registerSignalFlush } from "../multilevel/signals.js";
import type { Embedder } from "../semantic/embedders/embedder.js";
import { createEmbedder, type EmbedderConfig } from "../semantic/embedders/factory.js";
import { SemanticCache } from "../semantic/semantic-cache.js";
import { CacheWarmer } from "../warming/cache-warmer.js";
import type { CacheSystemConfig, CacheSystemHooks } from "./types.js";

export interface CacheSystem {
  readonly config: CacheSystemConfig;
  readonly cache: MultiLevelCache;
  /** Undefined when `semantic.enabled` is false. */
  readonly semantic: SemanticCache | undefined;
  /** Undefined when `warming.enabled` is false. */
  readonly warmer: CacheWarmer | undefined;
  /** Undefined when `invalidation.enabled` is false. */
  readonly invalidator: CacheInvalidator | undefined;
  /** Undefined when `analytics.enabled` is false. */
  readonly analytics: CacheAnalytics | undefined;
  /** The dashboard `start()` opened (`analytics.dashboard.enabled`), else undefined. */
  readonly dashboard: DashboardServer | undefined;
  /**
   * Rebuilds the semantic index from L2, loads the dependency graph and checks files changed
   * while nobody watched, starts watching, background warming, monitoring and the dashboard as
   * configured. Idempotent.
   */
  start(): Promise<void>;
  /**
   * Stops everything and closes the cache last: the warmer saves its access log and the
   * invalidator its graph while L2 is still open, then write-back is flushed. Idempotent.
   */
  close(): Promise<void>;
}

/** The OpenAI key comes from the environment, as with OpenAI's own clients, when none is set. */
function withEnvironmentKey(config: EmbedderConfig): EmbedderConfig {
  if (config.provider !== "openai" || config.apiKey !== undefined) return config;
  const key = process.env.OPENAI_API_KEY;
  return key ? { ...config, apiKey: key } : config;
}

class System implements CacheSystem {
  readonly cache: MultiLevelCache;
  readonly semantic: SemanticCache | undefined;
  readonly warmer: CacheWarmer | undefined;
  readonly invalidator: CacheInvalidator | undefined;
  readonly analytics: CacheAnalytics | undefined;
  dashboard: DashboardServer | undefined;
  private readonly ownedEmbedder: Embedder | undefined;
  private unregisterSignals: (() => void) | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: CacheSystemConfig,
    hooks: CacheSystemHooks,
  ) {
    const clock = hooks.clock;
    this.cache = new MultiLevelCache({ ...config.multiLevel, ...(clock && { clock }) });
    try {
      const s = config.semantic;
      if (s) {
        const { embedder: embedderConfig, verifier, persist, ...options } = s;
        if (!hooks.embedder)
          this.ownedEmbedder = createEmbedder(
            withEnvironmentKey(embedderConfig),
            "cache.semantic.embedder",
          );
        this.semantic = new SemanticCache({
          ...options,
          embedder: hooks.embedder ?? this.ownedEmbedder,
          ...(persist && this.cache.l2 !== undefined && { store: this.cache.l2 }),
          verifier: hooks.verifier ?? (verifier ? undefined : false),
          ...(clock && { clock }),
        });
      }
      const inv = config.invalidation;
      if (inv) {
        const { watchFiles: _watch, ...options } = inv;
        this.invalidator = new CacheInvalidator({
          ...options,
          cache: this.cache,
          ...(this.semantic && { semantic: this.semantic }),
        });
      }
      const w = config.warming;
      if (w) {
        const { background: _background, ...options } = w;
        this.warmer = new CacheWarmer({
          ...options,
          cache: this.cache,
          ...(hooks.warmingLoader && { loader: hooks.warmingLoader }),
        });
      }
      const a = config.analytics;
      if (a) {
        const { monitoring: _monitoring, dashboard: _dashboard, ...options } = a;
        this.analytics = new CacheAnalytics({
          ...options,
          cache: this.cache,
          ...(this.semantic && { semantic: this.semantic }),
          ...(clock && { clock }),
          ...(hooks.registry && { registry: hooks.registry }),
        });
      }
    } catch (error) {
      // Whatever was built holds timers, watchers or the LMDB folder: release it before failing.
      void this.close().catch(() => undefined);
      throw error;
    }
  }

  start(): Promise<void> {
    this.starting ??= this.startParts();
    return this.starting;
  }

  private async startParts(): Promise<void> {
    const { invalidation, warming, analytics } = this.config;
    await this.semantic?.start();
    if (this.invalidator) {
      await this.invalidator.start();
      const paths = invalidation?.watchFiles ?? [];
      if (paths.length > 0) await this.invalidator.watchFiles(paths);
    }
    if (this.warmer && warming?.background) await this.warmer.startBackgroundWarming();
    if (this.analytics && analytics?.monitoring)
      await this.analytics.startMonitoring(analytics.monitoring);
    if (this.analytics && analytics?.dashboard)
      this.dashboard = await this.analytics.serve(analytics.dashboard);
    if (this.config.shutdownOnSignals)
      this.unregisterSignals = registerSignalFlush(() => this.close());
  }

  close(): Promise<void> {
    this.closing ??= this.closeParts();
    return this.closing;
  }

  private async closeParts(): Promise<void> {
    this.unregisterSignals?.();
    await this.starting?.catch(() => undefined);
    const errors: unknown[] = [];
    const attempt = async (close: (() => Promise<void>) | undefined) => {
      try {
        await close?.();
      } catch (error) {
        errors.push(error);
      }
    };
    await attempt(this.analytics && (() => this.analytics!.close()));
    await attempt(this.warmer && (() => this.warmer!.close()));
    await attempt(this.invalidator && (() => this.invalidator!.close()));
    await attempt(this.semantic && (() => this.semantic!.close()));
    await attempt(this.ownedEmbedder?.close && (() => this.ownedEmbedder!.close!()));
    await attempt(() => this.cache.close());
    if (errors.length > 0) throw errors[0];
  }
}

/**
 * Builds the system a config describes: `createCacheSystem(await loadConfig())`. Nothing runs in
 * the background until `start()`; `close()` releases everything.
 */
export function createCacheSystem(
  config: CacheSystemConfig,
  hooks: CacheSystemHooks = {},
): CacheSystem {
  return new System(config, hooks);
}
