import { formatDuration } from '../progress.js';

/** Progress of one download, in bytes. */
export interface ByteProgressTask {
  /** `bytes` received so far in all (a resumed download starts above 0). */
  update(bytes: number): void;
  done(): void;
}

/** Where downloads report progress. */
export interface ByteProgress {
  start(label: string, total: number | undefined, startAt: number): ByteProgressTask;
  log(line: string): void;
}

/**
 * A bar with bytes, rate and ETA redrawn in place on a TTY; a plain line every few seconds otherwise.
 * The rate counts only the bytes of this run (not those of a resumed `.part` file).
 */
export class StreamByteProgress implements ByteProgress {
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly minIntervalMs = stream.isTTY ? 200 : 5000,
  ) {}

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  start(label: string, total: number | undefined, startAt: number): ByteProgressTask {
    const tty = Boolean(this.stream.isTTY);
    const t0 = Date.now();
    let last = 0;
    let bytes = startAt;
    const render = (final: boolean): void => {
      const secs = (Date.now() - t0) / 1000;
      const rate = secs > 0 ? (bytes - startAt) / secs : 0;
      const pct = total ? Math.min(1, bytes / total) : undefined;
      const bar = tty && pct !== undefined ? `[${'#'.repeat(Math.round(pct * 20)).padEnd(20, '.')}] ` : '';
      const size = total ? `${formatBytes(bytes)} of ${formatBytes(total)}` : formatBytes(bytes);
      const eta = !final && total && rate > 0 ? ` ETA ${formatDuration((total - bytes) / rate)}` : '';
      const text = `${label} ${bar}${size}${pct === undefined ? '' : ` ${(pct * 100).toFixed(0)}%`} ${formatBytes(rate)}/s${eta}${final ? ` in ${formatDuration(secs)}` : ''}`;
      this.stream.write(tty ? `\r\x1b[K${text}${final ? '\n' : ''}` : `${text}\n`);
    };
    return {
      update: (n) => {
        bytes = n;
        const now = Date.now();
        if (now - last >= this.minIntervalMs) {
          last = now;
          render(false);
        }
      },
      done: () => render(true),
    };
  }
}

/** Discards everything. */
export class SilentByteProgress implements ByteProgress {
  log(): void {}
  start(): ByteProgressTask {
    return { update() {}, done() {} };
  }
}

/** `9.1 MB`, `512 B`: decimal units, as download sizes are usually given. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 2 : 1)} ${units[u]}`;
}
