/** The part of cli-progress (which ships no types) the CLI uses. */
declare module "cli-progress" {
  interface BarOptions {
    format?: string;
    stream?: NodeJS.WritableStream;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    etaBuffer?: number;
  }
  interface SingleBar {
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    increment(delta?: number, payload?: Record<string, unknown>): void;
    setTotal(total: number): void;
    stop(): void;
  }
  interface SingleBarConstructor {
    new (options: BarOptions, preset?: unknown): SingleBar;
  }
  const cliProgress: {
    SingleBar: SingleBarConstructor;
    Presets: { shades_classic: unknown; shades_grey: unknown; rect: unknown; legacy: unknown };
  };
  export default cliProgress;
}
