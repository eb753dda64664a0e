/** Progress output: timestamped lines, plus an in-place status line on a terminal. */

const started = performance.now();
const tty = Boolean(process.stdout.isTTY);
let statusShown = false;
let lastStatusLine = 0;

const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s]`;

const clearStatus = () => {
  if (tty && statusShown) process.stdout.write("\r\x1b[2K");
  statusShown = false;
};

export const log = (message: string): void => {
  clearStatus();
  process.stdout.write(`${stamp()} ${message}\n`);
};

/** A frequently updated progress message: rewritten in place on a terminal, else a line every 2 s. */
export const status = (message: string): void => {
  if (tty) {
    process.stdout.write(`\r\x1b[2K${stamp()} ${message}`);
    statusShown = true;
    return;
  }
  const now = performance.now();
  if (now - lastStatusLine < 2000) return;
  lastStatusLine = now;
  process.stdout.write(`${stamp()} ${message}\n`);
};

export const endStatus = (): void => clearStatus();

export const elapsedSeconds = (): number => (performance.now() - started) / 1000;
