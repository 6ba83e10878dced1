import type { Container } from 'inversify';
import { PluginError } from '../errors.js';

/**
 * A plugin's step that makes a data set that cannot be downloaded, from data sets that can: the drawing
 * videos are rendered from the Omniglot stroke archives. A registry entry names its maker by id
 * (`derived.maker`); `fewshot data fetch` (and `--fetch`) fetches the entry's sources, then calls
 * `make` with a working folder that it renames into place only when the maker has made every sample.
 * Bind it in a plugin's ContainerModule: `bind(DataSetMaker).toService(MyMaker)`.
 */
export const DataSetMaker = Symbol.for('fewshot.DataSetMaker');
export interface DataSetMaker {
  /** Named by registry entries: `derived: { maker: 'omniglot-drawing-videos', ... }`. */
  readonly id: string;
  /**
   * Throw a FewshotError (PluginError) when something the maker needs is missing (a binary), so the
   * user learns it before any source is downloaded. Optional.
   */
  check?(): void | Promise<void>;
  make(request: DataSetMakeRequest): Promise<DataSetMakeResult>;
}

/** What a maker is asked to make. */
export interface DataSetMakeRequest {
  /** The registry name of the data set being made. */
  readonly name: string;
  /** Each source data set (registry name) -> its folder or file (absolute), fetched and in place. */
  readonly sources: Readonly<Record<string, string>>;
  /**
   * The folder to make it in (absolute). It may hold what an interrupted run made: a maker keeps the
   * samples that are complete (it writes each one atomically), and makes the rest.
   */
  readonly out: string;
  /** Make only the first `limit` samples (a quick check); the result is then not complete. */
  readonly limit?: number;
  /** Progress lines (a few, every few seconds at most). */
  readonly log: (line: string) => void;
}

/** What a maker did. */
export interface DataSetMakeResult {
  /** Samples the sources describe (after `limit`). */
  readonly samples: number;
  /** Samples made now. */
  readonly made: number;
  /** Samples already made in `out` by an earlier run, kept. */
  readonly kept: number;
  /** Samples that could not be made: where from and why. */
  readonly failed: readonly { readonly source: string; readonly reason: string }[];
  /** One line for people: `4,840 clips, codec libx264, 121.5 s`. */
  readonly summary?: string;
}

/** The data set makers bound in a plugin container (none: `[]`). */
export function boundMakers(container: Container): DataSetMaker[] {
  return container.isBound(DataSetMaker) ? container.getAll<DataSetMaker>(DataSetMaker) : [];
}

/** The maker with this id; a PluginError naming the plugin that provides it otherwise. */
export function findMaker(makers: readonly DataSetMaker[], id: string, dataSet: string, plugin: string): DataSetMaker {
  const found = makers.filter((m) => m.id === id);
  if (found.length === 1) return found[0]!;
  if (found.length > 1)
    throw new PluginError(`two loaded plugins provide the data set maker '${id}'`, {
      hints: ['load only one of them'],
    });
  throw new PluginError(`${dataSet} is made, not downloaded, and no loaded plugin provides its maker '${id}'`, {
    hints: [
      `install the plugin that makes it: npm install ${plugin}`,
      makers.length > 0 ? `loaded makers: ${makers.map((m) => m.id).join(', ')}` : 'no loaded plugin makes data sets',
    ],
  });
}
