import { closest } from 'fastest-levenshtein';
import { ConfigError } from '../errors.js';
import type { DataSetEntry } from './data-set-entry.js';

const OMNIGLOT_RAW = 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python';
const OMNIGLOT_CITATION =
  'Lake, B. M., Salakhutdinov, R. and Tenenbaum, J. B. (2015). Human-level concept learning through probabilistic program induction. Science, 350(6266), 1332-1338.';
const TORCHVISION = "torchvision's datasets/omniglot.py (zips_md5)";

/** Omniglot-style files `<id>_<drawer>.<ext>`: the key is `_<drawer>.<ext>`, the same in every character. */
const drawerKey = (file: string): string => file.slice(file.indexOf('_'));
const drawerName = (key: string, label: string, sibling: string): string =>
  `${label}/${sibling.slice(0, sibling.indexOf('_'))}${key}`;

const omniglotImages = (
  split: 'background' | 'evaluation',
  marker: string,
  md5: string,
  counts: { groups: number; classes: number },
): DataSetEntry => ({
  name: `omniglot-${split}`,
  title: `Omniglot images, ${split} set (105x105 PNG)`,
  path: `omniglot/images_${split}`,
  homepage: 'https://github.com/brendenlake/omniglot',
  licence: 'MIT',
  citation: OMNIGLOT_CITATION,
  archives: [
    {
      url: `${OMNIGLOT_RAW}/images_${split}.zip`,
      fileName: `images_${split}.zip`,
      md5,
      checksumSource: TORCHVISION,
      target: `omniglot/images_${split}`,
      unpack: { kind: 'unzip', marker },
    },
  ],
  expect: {
    kind: 'samples',
    modality: 'image',
    layout: 'omniglot',
    counts: [{ label: 'official release', ...counts, perClass: 20 }],
    sampleKey: drawerKey,
    sampleName: drawerName,
  },
});

/**
 * The supported data sets. Download addresses, checksums and licences are the publishers' (a checksum is
 * given only where one is published); counts are those of the published archives.
 */
export const DATA_SETS: readonly DataSetEntry[] = [
  omniglotImages('background', 'Alphabet_of_the_Magi', '68d2efa1b9178cc56df9314c21c6e718', {
    groups: 30,
    classes: 964,
  }),
  omniglotImages('evaluation', 'Angelic', '6b91aef0f799c5bb55b94e3f2daec811', { groups: 20, classes: 659 }),
  {
    name: 'omniglot-runs',
    title: "Omniglot one-shot runs: Lake et al.'s 20 runs of 20-way within-alphabet classification (400 trials)",
    path: 'omniglot/one-shot-classification',
    homepage: 'https://github.com/brendenlake/omniglot',
    licence: 'MIT',
    citation: OMNIGLOT_CITATION,
    archives: [
      {
        url: `${OMNIGLOT_RAW}/one-shot-classification/all_runs.zip`,
        fileName: 'all_runs.zip',
        target: 'omniglot/one-shot-classification',
        unpack: { kind: 'unzip', marker: 'run01' },
      },
    ],
    expect: { kind: 'runs', modality: 'image', runs: 20, trialsPerRun: 20 },
  },
  {
    name: 'omniglot-strokes',
    title: 'Omniglot stroke archives (pen trajectories) of the two small background subsets, kept as zips',
    path: 'omniglot/strokes',
    homepage: 'https://github.com/brendenlake/omniglot',
    licence: 'MIT',
    citation: OMNIGLOT_CITATION,
    archives: [1, 2].map((n) => ({
      url: `${OMNIGLOT_RAW}/strokes_background_small${n}.zip`,
      fileName: `strokes_background_small${n}.zip`,
      target: `omniglot/strokes/strokes_background_small${n}.zip`,
      unpack: { kind: 'keep' as const },
    })),
    expect: {
      kind: 'archives',
      files: [
        { path: 'strokes_background_small1.zip', entries: 2720, extension: '.txt' },
        { path: 'strokes_background_small2.zip', entries: 3120, extension: '.txt' },
      ],
    },
    notes: ['Greek and Latin are in both archives: 5,840 drawing files, 4,840 distinct drawings'],
  },
  {
    name: 'omniglot-drawing-videos',
    title: 'Omniglot drawing videos: 112x112 MP4 clips rendered from the recorded pen trajectories',
    path: 'omniglot-drawing-videos',
    homepage: 'https://github.com/brendenlake/omniglot',
    licence: 'MIT',
    citation: OMNIGLOT_CITATION,
    archives: [],
    derived: {
      from: ['omniglot-strokes'],
      maker: 'omniglot-drawing-videos',
      plugin: '@fewshot/modality-video',
      describe: 'rendered from the Omniglot stroke archives with ffmpeg (docs/video.md)',
    },
    expect: {
      kind: 'samples',
      modality: 'video',
      layout: 'omniglot',
      counts: [{ label: 'rendered from the small background stroke archives', groups: 8, classes: 242, perClass: 20 }],
      sampleKey: drawerKey,
      sampleName: drawerName,
    },
  },
  {
    name: 'fsdd',
    title: 'Free Spoken Digit Dataset: spoken digits, 8 kHz mono WAV (6 speakers x 50 takes per digit)',
    path: 'fsdd/recordings',
    homepage: 'https://github.com/Jakobovski/free-spoken-digit-dataset',
    licence: 'CC BY-SA 4.0',
    citation:
      'Jackson, Z. et al. (2016). Free Spoken Digit Dataset. https://github.com/Jakobovski/free-spoken-digit-dataset',
    archives: [
      {
        // GitHub makes repository archives on request and publishes no checksum for them.
        url: 'https://github.com/Jakobovski/free-spoken-digit-dataset/archive/26eb9aaf76e81b692f806f9140c2d2777410d7a1.zip',
        fileName: 'free-spoken-digit-dataset-26eb9aa.zip',
        target: 'fsdd',
        unpack: { kind: 'unzip', marker: 'recordings' },
      },
    ],
    expect: {
      kind: 'samples',
      modality: 'audio',
      layout: 'pattern',
      options: { regex: '^(?<digit>\\d)_(?<speaker>[a-z]+)_(?<take>\\d+)\\.wav$', label: '{digit}' },
      counts: [{ label: 'release of commit 26eb9aa (v1.0.10)', classes: 10, perClass: 300 }],
      sampleKey: (file, label) => file.slice(label.length + 1),
      sampleName: (key, label) => `${label}_${key}`,
    },
  },
  {
    name: 'arabic-speech-commands',
    title: 'Arabic Speech Commands: 40 keywords x 30 speakers x 10 rounds, 16 kHz mono WAV, 1 s',
    path: 'arabic-speech-commands/dataset',
    homepage:
      'https://github.com/abdulkaderghandoura/arabic-speech-commands-dataset (also https://doi.org/10.5281/zenodo.4662481)',
    licence: 'CC BY 4.0',
    citation:
      'Ghandoura, A., Hjabo, F. and Al Dakkak, O. (2021). Building and Benchmarking an Arabic Speech Commands Dataset for Small-Footprint Keyword Spotting. Engineering Applications of Artificial Intelligence. https://doi.org/10.1016/j.engappai.2021.104267',
    archives: [
      {
        url: 'https://github.com/abdulkaderghandoura/arabic-speech-commands-dataset/archive/72f3438212ff6cf8fbe5ae8068361840646429bd.zip',
        fileName: 'arabic-speech-commands-dataset-72f3438.zip',
        target: 'arabic-speech-commands',
        unpack: { kind: 'unzip', marker: 'dataset' },
      },
    ],
    expect: {
      kind: 'samples',
      modality: 'audio',
      layout: 'folder',
      counts: [
        { label: 'full release', classes: 40, perClass: 300 },
        { label: 'first recording round only (<speaker>_NO_01.wav)', classes: 40, perClass: 30 },
      ],
      sampleKey: (file) => file,
      sampleName: (key, label) => `${label}/${key}`,
    },
    notes: ["the repository's shared copy holds the first recording round only (1,200 clips); verify accepts either"],
  },
];

/** The registry entry called `name`; a ConfigError naming the closest one otherwise. */
export function findDataSet(name: string, sets: readonly DataSetEntry[] = DATA_SETS): DataSetEntry {
  const entry = sets.find((s) => s.name === name);
  if (entry) return entry;
  const names = sets.map((s) => s.name);
  throw new ConfigError(`unknown data set '${name}' (did you mean '${closest(name, names)}'?)`, {
    hints: [`known data sets: ${names.join(', ')} (fewshot data list)`],
  });
}
