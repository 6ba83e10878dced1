/**
 * Progress for long work: a bar with rate and ETA on a TTY (redrawn in place), plain lines
 * (at most one every few seconds) when the stream is not a TTY, nothing when quiet.
 */
export interface ProgressSink {
  /** Start a task of `total` units. */
  start(label: string, total: number, unit?: string): ProgressTask;
  /** A plain line (epoch summaries, notes). */
  log(line: string): void;
}

export interface ProgressTask {
  /** Advance by `n` units; `extra` is shown after the rate (running loss, accuracy...). */
  tick(n?: number, extra?: string): void;
  /** Finish, printing the final state once. */
  done(extra?: string): void;
}

export class StreamProgress implements ProgressSink {
  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr,
    private readonly minIntervalMs = stream.isTTY ? 100 : 5000,
  ) {}

  log(line: string): void {
    this.stream.write(line + '\n');
  }

  start(label: string, total: number, unit = 'it'): ProgressTask {
    const t0 = Date.now();
    let count = 0;
    let last = 0;
    let lastExtra = '';
    const tty = Boolean(this.stream.isTTY);
    const render = (final: boolean): void => {
      const secs = (Date.now() - t0) / 1000;
      const rate = secs > 0 ? count / secs : 0;
      const eta = rate > 0 && total > count ? (total - count) / rate : 0;
      const pct = total > 0 ? Math.min(1, count / total) : 1;
      const width = 20;
      const bar = tty ? `[${'#'.repeat(Math.round(pct * width)).padEnd(width, '.')}] ` : '';
      const text =
        `${label} ${bar}${count}/${total} ${unit} ${(pct * 100).toFixed(0)}% ${formatRate(rate, unit)}` +
        (final ? ` in ${formatDuration(secs)}` : ` ETA ${formatDuration(eta)}`) +
        (lastExtra ? ` ${lastExtra}` : '');
      if (tty) this.stream.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
      else this.stream.write(text + '\n');
    };
    return {
      tick: (n = 1, extra?: string) => {
        count += n;
        if (extra !== undefined) lastExtra = extra;
        const now = Date.now();
        if (now - last >= this.minIntervalMs && count < total) {
          last = now;
          render(false);
        }
      },
      done: (extra?: string) => {
        if (extra !== undefined) lastExtra = extra;
        render(true);
      },
    };
  }
}

/** Discards everything (tests, --quiet, --json). */
export class SilentProgress implements ProgressSink {
  log(): void {}
  start(): ProgressTask {
    return { tick() {}, done() {} };
  }
}

export function formatDuration(secs: number): string {
  if (!Number.isFinite(secs)) return '?';
  if (secs < 60) return `${secs.toFixed(secs < 10 ? 1 : 0)}s`;
  const m = Math.floor(secs / 60);
  if (m < 60) return `${m}m${String(Math.round(secs % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatRate(rate: number, unit: string): string {
  return rate >= 100 ? `${rate.toFixed(0)} ${unit}/s` : `${rate.toFixed(1)} ${unit}/s`;
}
