/** One supported public data set: where its publishers put it, what it unpacks to, what it must hold. */
export interface DataSetEntry {
  /** Name used on the command line: `fewshot data fetch omniglot-background`. */
  readonly name: string;
  readonly title: string;
  /** Folder (or file) under the data folder that the loaders read, `/`-separated: `omniglot/images_background`. */
  readonly path: string;
  readonly homepage: string;
  readonly licence: string;
  readonly citation: string;
  /** The downloads that bring it; empty for a data set made from another one (see `derived`). */
  readonly archives: readonly ArchiveSource[];
  /** How a data set that cannot be downloaded (no archives) is made from ones that can. */
  readonly derived?: DerivedFrom;
  /** What `fewshot data verify` checks. */
  readonly expect: Expectation;
  /** Notes shown by `fewshot data list --json` and the docs (subsets, known quirks). */
  readonly notes?: readonly string[];
}

/**
 * A data set made locally: `fewshot data fetch` fetches the `from` data sets, then runs the plugin step
 * (a {@link DataSetMaker}) registered under `maker`.
 */
export interface DerivedFrom {
  /** Registry names of the data sets it is made from, fetched first. */
  readonly from: readonly string[];
  /** Id of the `DataSetMaker` that makes it. */
  readonly maker: string;
  /** The package that provides the maker (named when it is not loaded). */
  readonly plugin: string;
  /** What is done, for people: `rendered from the stroke archives (docs/video.md)`. */
  readonly describe: string;
}

/** One archive as its publishers serve it. */
export interface ArchiveSource {
  /** The publishers' download address. */
  readonly url: string;
  /** The name it is saved under, and looked up under in a mirror (`<mirror>/<fileName>`). */
  readonly fileName: string;
  /** Size in bytes, when published. */
  readonly bytes?: number;
  /** Checksum, when published (hex). */
  readonly md5?: string;
  readonly sha256?: string;
  /** Who published the checksum (shown with it). */
  readonly checksumSource?: string;
  /**
   * Where it goes under the data folder (`/`-separated). `unzip`: the archive's folder that directly holds
   * `marker` (at any depth, so a generated top folder such as `repo-<commit>/` does not matter) becomes
   * this folder. `keep`: the archive itself is saved at this path.
   */
  readonly target: string;
  readonly unpack: { readonly kind: 'unzip'; readonly marker: string } | { readonly kind: 'keep' };
}

/** Expected sample counts: `classes` classes of `perClass` samples each, in `groups` top-level groups. */
export interface SampleCounts {
  /** Shown when this variant matches: `full release`, `first recording round`. */
  readonly label: string;
  readonly groups?: number;
  readonly classes: number;
  readonly perClass: number;
}

/** What a data set holds, as `fewshot data verify` checks it. */
export type Expectation =
  | {
      /** Labelled samples read by a modality's loader. */
      readonly kind: 'samples';
      readonly modality: string;
      readonly layout: string;
      readonly options?: Readonly<Record<string, unknown>>;
      /** Known variants (a full release and a documented subset); the one whose total matches is checked. */
      readonly counts: readonly SampleCounts[];
      /** Files the loader does not read that are expected there (not reported as extra). */
      readonly ignore?: readonly RegExp[];
      /**
       * A sample's key within its class (the part of its path that does not name the class), so a missing
       * file can be named: keys other classes have and this one lacks. `sampleName` turns a key back into a
       * path relative to the data set's root, given one file name of the class (`sibling`).
       */
      readonly sampleKey?: (file: string, label: string) => string;
      readonly sampleName?: (key: string, label: string, sibling: string) => string;
    }
  | {
      /** Lake et al.'s one-shot runs: `runNN/training/*`, `runNN/test/*`, `runNN/class_labels.txt`. */
      readonly kind: 'runs';
      readonly modality: string;
      readonly runs: number;
      readonly trialsPerRun: number;
    }
  | {
      /** Archives kept as downloaded (zip): each must open and hold `entries` files ending in `extension`. */
      readonly kind: 'archives';
      readonly files: readonly { readonly path: string; readonly entries: number; readonly extension: string }[];
    };
