/**
 * Typed errors. Every error a user can cause is one of these: the CLI renders them as a title plus a
 * few lines and exits non-zero; anything else is a bug and is shown with its stack.
 */
export class FewshotError extends Error {
  /** Short title for the CLI, e.g. "Config error". */
  readonly title: string = 'Error';
  /** Extra lines shown under the message (hints, suggestions). */
  readonly hints: string[];
  constructor(message: string, options: { cause?: unknown; hints?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hints = options.hints ?? [];
  }
}

/** The experiment YAML, a `--set` override or a CLI flag is wrong. */
export class ConfigError extends FewshotError {
  override readonly title = 'Config error';
}

/** A data file or folder is missing, corrupt or unusable for the requested task. */
export class DataError extends FewshotError {
  override readonly title = 'Data error';
}

/** A saved model is missing, incomplete or incompatible. */
export class ModelError extends FewshotError {
  override readonly title = 'Model error';
}

/** A plugin could not be found, loaded or does not fulfil the contract. */
export class PluginError extends FewshotError {
  override readonly title = 'Plugin error';
}

/** A compute backend could not be initialised. */
export class BackendError extends FewshotError {
  override readonly title = 'Backend error';
}
