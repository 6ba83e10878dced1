import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  DataError,
  LabeledSet,
  compareNames,
  loadClassFolders,
  loadGroupedFolders,
  nameSuffix,
  noSamplesError,
  parseOptions,
  selectGroups,
  suffixAttr,
  z,
  type DatasetSpec,
  type SampleFileType,
  type SampleRef,
} from '@fewshot/core/plugin';
import { listStrokeZip, strokeId } from './stroke-archive.js';

/** The files of the folder layout: tables, JSON arrays and Omniglot stroke files. */
export const SERIES_FILES: SampleFileType = {
  kind: 'time-series files',
  extensions: ['.csv', '.tsv', '.json', '.txt'],
  placeholder: '<.csv, .tsv, .json or .txt files>',
};
/** The files of an unpacked Omniglot stroke archive. */
export const STROKE_FILES: SampleFileType = {
  kind: 'stroke files',
  extensions: ['.txt'],
  placeholder: '<id>_<drawer>.txt',
};

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const folderOptionsSchema = z.strictObject({
  nameAttr: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe(
      'name of an attribute taken from each file name: the part of the stem after its last `_` (`0394_07.csv` -> 07)',
    ),
});

/** The Omniglot stroke layout takes no options. */
export const omniglotOptionsSchema = z.strictObject({});

/**
 * Class-per-folder at any depth: every folder below the root holding `.csv`, `.tsv`, `.json` or `.txt`
 * files is a class named by its path (`Latin/character01/*.csv` -> `Latin/character01`). Attributes:
 * `group` (the top folder) and, with `nameAttr`, one from the file name. `include` / `exclude` name
 * classes or any folder above them.
 */
export function loadSeriesFolder(spec: DatasetSpec): Promise<LabeledSet> {
  const { nameAttr } = parseOptions(folderOptionsSchema, spec.options, `${spec.name}.options`);
  return loadClassFolders(spec, {
    files: SERIES_FILES,
    attrs: (name, folder) => {
      const attrs: Record<string, string> = { group: folder.split('/')[0]! };
      if (nameAttr !== undefined) attrs[nameAttr] = nameSuffix(name);
      return attrs;
    },
  });
}

/**
 * Omniglot's pen trajectories as published: a folder holding the stroke zips (`strokes_background*.zip`,
 * read in place), one such zip, or a folder of unpacked `<Alphabet>/characterNN/<id>_<drawer>.txt`.
 * Classes are `Alphabet/characterNN`, ids `Alphabet/characterNN/<id>_<drawer>.txt` (as the drawing
 * videos', so episodes line up), attrs `alphabet`, `character`, `drawer`. A drawing in two zips (Greek and
 * Latin are in both small subsets) is taken from the first by name. `include` / `exclude` name alphabets.
 */
export async function loadStrokesOmniglot(spec: DatasetSpec): Promise<LabeledSet> {
  parseOptions(omniglotOptionsSchema, spec.options, `${spec.name}.options`);
  const expected = '<root>/strokes_*.zip, or <root>/<Alphabet>/characterNN/<id>_<drawer>.txt';
  let zips: string[];
  const st = await stat(spec.path).catch(() => undefined);
  if (st?.isFile()) zips = [spec.path];
  else if (st?.isDirectory())
    zips = (await readdir(spec.path))
      .filter((f) => f.toLowerCase().endsWith('.zip'))
      .sort(compareNames)
      .map((f) => path.join(spec.path, f));
  else zips = [];
  if (zips.length === 0) {
    return loadGroupedFolders(spec, {
      files: STROKE_FILES,
      groupAttr: 'alphabet',
      classAttr: 'character',
      groupWord: 'alphabet',
      attrs: suffixAttr('drawer'),
      expected,
    });
  }
  const byId = new Map<string, SampleRef>();
  for (const zip of zips) {
    for (const e of await listStrokeZip(zip)) {
      const id = strokeId(e);
      if (byId.has(id)) continue;
      byId.set(id, {
        id,
        path: zip,
        label: `${e.alphabet}/${e.character}`,
        attrs: { alphabet: e.alphabet, character: e.character, drawer: e.drawer },
      });
    }
  }
  if (byId.size === 0) {
    throw new DataError(`no Omniglot stroke files in ${zips.join(', ')} (from ${spec.name}.path)`, {
      hints: [`expected ${expected}`],
    });
  }
  const alphabets = [...new Set([...byId.values()].map((s) => s.attrs!['alphabet']!))].sort(compareNames);
  const chosen = new Set(selectGroups(spec, alphabets, 'alphabet'));
  const samples = [...byId.values()].filter((s) => chosen.has(s.attrs!['alphabet']!));
  if (samples.length === 0)
    throw noSamplesError(spec, STROKE_FILES.kind, STROKE_FILES.extensions, expected, { dirs: alphabets, files: [] });
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}
