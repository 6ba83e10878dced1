import type { ContainerModuleLike } from '../plugin-loader.js';

/** What the conformance suite tests: one modality of one plugin, on a tiny class-per-folder fixture. */
export interface ConformanceOptions {
  /** The plugin: a module path or package name (as in an experiment's `plugins:`), or its default export itself. */
  readonly plugin: string | ContainerModuleLike;
  /** Id of the modality under test (`modality:` in an experiment). */
  readonly modality: string;
  /** Folder `<class>/<files>` with at least 2 classes of at least 2 samples (relative paths start at `baseDir`). */
  readonly fixture: string;
  /** Layout the fixture is loaded with; default: the modality's first layout. */
  readonly layout?: string;
  /** `data.preprocess` settings; default `{}` (the schema's defaults). Small sizes keep the suite fast. */
  readonly preprocess?: Readonly<Record<string, unknown>>;
  /** `train.augment` settings; when given, augmentation is checked too. */
  readonly augment?: Readonly<Record<string, unknown>>;
  /** Encoder ids to build; default: the modality's `defaultEncoder` and every encoder listing the modality. */
  readonly encoders?: readonly string[];
  /** Options (`model.encoderOptions`) per encoder id; default `{}`. */
  readonly encoderOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** A file the modality must refuse; default: random bytes with the extension of the fixture's first file. */
  readonly badFile?: string;
  /** Where relative `plugin` paths, `fixture` and `badFile` start; default `process.cwd()`. */
  readonly baseDir?: string;
}

/** One check of the suite: `run` resolves when the plugin passes, and throws an Error saying what is wrong otherwise. */
export interface ConformanceCheck {
  readonly name: string;
  run(): Promise<void>;
}

/** Outcome of one check (`checkPlugin`). */
export interface ConformanceResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed. */
  readonly error?: string;
}
