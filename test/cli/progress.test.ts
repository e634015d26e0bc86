import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.js";

/** A stream that records what is written, posing as a terminal or not. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = new Writable({
    write(chunk: Buffer, _encoding, done) {
      s.text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  s.text = "";
  Object.assign(s, {
    isTTY,
    columns: 100,
    cursorTo: (_x: number, _y?: number, cb?: () => void) => (cb?.(), true),
    clearLine: (_dir: number, cb?: () => void) => (cb?.(), true),
    moveCursor: (_dx: number, _dy: number, cb?: () => void) => (cb?.(), true),
    clearScreenDown: (cb?: () => void) => (cb?.(), true),
  });
  return s;
}

describe("progress bars", () => {
  it("draw on a terminal", () => {
    const tty = stream(true);
    const progress = createProgress(tty);
    progress.start(4, "replaying");
    for (let i = 0; i < 4; i++) progress.tick();
    progress.stop();
    expect(tty.text).toContain("replaying");
    expect(tty.text).toContain("4/4");
  });

  it("stay silent in a pipe", () => {
    const pipe = stream(false);
    const progress = createProgress(pipe);
    progress.start(4, "replaying");
    progress.tick(4);
    progress.stop();
    expect(pipe.text).toBe("");
  });
});
