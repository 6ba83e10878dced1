/** How one `fewshot doctor` check came out. `error` is kept for what fewshot cannot work without. */
export type CheckStatus = 'ok' | 'warning' | 'error';

/** One thing `fewshot doctor` looked at: what it found, and what to do about a problem. */
export interface DoctorCheck {
  /** Stable id: `node`, `packages`, `backends`, `ffmpeg`, `data`, `cache`, `output`. */
  readonly id: string;
  readonly status: CheckStatus;
  /** One line: what was found. */
  readonly summary: string;
  /** Further lines (versions, paths, what was tried). */
  readonly details: readonly string[];
  /** What to do, one step a line; empty when all is well. */
  readonly fixes: readonly string[];
  /** The findings as data, for `--json`. */
  readonly facts: Readonly<Record<string, unknown>>;
}

/** A check, with its lists defaulting to empty. */
export function check(
  id: string,
  status: CheckStatus,
  summary: string,
  more: { details?: string[]; fixes?: string[]; facts?: Record<string, unknown> } = {},
): DoctorCheck {
  return { id, status, summary, details: more.details ?? [], fixes: more.fixes ?? [], facts: more.facts ?? {} };
}

/** First line of an error's message (module-not-found errors run to many lines). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).slice(0, 300);
}
