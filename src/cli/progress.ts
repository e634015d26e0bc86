/**
 * Progress of long work (demo, bench, warm): a bar on stderr when stderr is a terminal, nothing
 * at all when it is a pipe or a file, so machine-readable output stays clean.
 */
import cliProgress from "cli-progress";

export interface Progress {
  start(total: number, label: string): void;
  tick(delta?: number): void;
  stop(): void;
}

const SILENT: Progress = { start() {}, tick() {}, stop() {} };

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true) return SILENT;
  let bar: InstanceType<typeof cliProgress.SingleBar> | undefined;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          format: `${label.padEnd(12)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
          stream,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    tick(delta = 1) {
      bar?.increment(delta);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
