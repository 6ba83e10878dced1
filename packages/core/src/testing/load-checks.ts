import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { listFolder, previewNames, type LabeledSet, type SampleRef } from '../plugin.js';
import type { ConformanceCheck } from './conformance-options.js';
import { messageOf, needs, type ConformanceSubject } from './conformance-subject.js';

/** `load` finds >= 2 classes named after folders of the fixture, each sample an existing file with a unique id. */
export function loadCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: `load${subject.layout === undefined ? '' : ` (layout '${subject.layout}')`} finds >= 2 classes named after the fixture's folders, whose files exist`,
    async run() {
      await needs('loading the plugin', () => subject.loaded());
      const set = await subject.set();
      checkSet(set, subject.fixture);
      for (const label of set.classes) {
        const dir = path.join(subject.fixture, label);
        if (!isDir(dir))
          throw new Error(
            `class '${label}' is not a folder of the fixture (no folder ${dir}); expected labels named after the folders`,
          );
      }
    },
  };
}

/**
 * The `folder` layout (what `fewshot classify --support` reads) gives one class per top-level folder
 * of the fixture, each sample inside its class's folder, and decodes.
 */
export function folderLayoutCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: "the 'folder' layout (fewshot classify --support) reads the fixture: one class per folder",
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre, size } = await needs('sampleShape', () => subject.prepared());
      if (!modality.layouts.includes('folder')) {
        throw new Error(
          `the '${modality.id}' modality has the layouts [${modality.layouts.join(', ')}], expected one of them to be 'folder' (\`fewshot classify --support\` loads its folder with it)`,
        );
      }
      const set = await modality.load({ name: '--support', path: subject.fixture, layout: 'folder', options: {} });
      checkSet(set, subject.fixture);
      const folders = (await listFolder(subject.fixture)).dirs;
      if (set.classes.join('\n') !== folders.join('\n')) {
        throw new Error(
          `the folder layout gave the classes [${previewNames(set.classes)}], expected the fixture's folders [${previewNames(folders)}]`,
        );
      }
      for (const s of set.samples) {
        if (!s.path.startsWith(path.join(subject.fixture, s.label) + path.sep)) {
          throw new Error(
            `sample '${s.id}' of class '${s.label}' is ${s.path}, expected a file inside ${path.join(subject.fixture, s.label)}`,
          );
        }
      }
      for (const label of set.classes) {
        const first = set.of(label)[0] as SampleRef;
        let values: Float32Array;
        try {
          values = await modality.decode(first, pre);
        } catch (err) {
          throw new Error(`decoding ${first.path} (loaded with the folder layout) failed: ${messageOf(err)}`, {
            cause: err,
          });
        }
        if (values.length !== size)
          throw new Error(
            `decoding ${first.path} (loaded with the folder layout) gave ${values.length} values, expected ${size}`,
          );
      }
    },
  };
}

/** Shape of a LabeledSet: >= 2 classes, unique ids, every sample labelled with one of them and an existing file. */
function checkSet(set: LabeledSet, fixture: string): void {
  // (`as unknown`: a check of what the plugin returned that leaves the declared types as they are)
  if (!set || !Array.isArray(set.classes as unknown) || !Array.isArray(set.samples as unknown)) {
    throw new Error(`load gave ${typeof set}, expected a LabeledSet`);
  }
  if (set.classes.length < 2) {
    throw new Error(
      `load found ${set.classes.length} class${set.classes.length === 1 ? '' : 'es'} [${set.classes.join(', ')}] in ${fixture}, expected >= 2 (one per folder)`,
    );
  }
  const ids = new Set<string>();
  const classes = new Set(set.classes);
  for (const s of set.samples) {
    if (typeof s.id !== 'string' || ids.has(s.id))
      throw new Error(
        `sample id ${JSON.stringify(s.id)} is ${typeof s.id === 'string' ? 'used twice' : 'not a string'}, expected unique ids`,
      );
    ids.add(s.id);
    if (!classes.has(s.label))
      throw new Error(
        `sample '${s.id}' has the label '${s.label}', which is not among the classes [${previewNames(set.classes)}]`,
      );
    if (typeof s.path !== 'string' || !path.isAbsolute(s.path))
      throw new Error(`sample '${s.id}' has the path ${JSON.stringify(s.path)}, expected an absolute path`);
    if (!existsSync(s.path)) throw new Error(`sample '${s.id}' has the path ${s.path}, which does not exist`);
  }
  for (const c of set.classes) {
    if (!set.samples.some((s) => s.label === c)) throw new Error(`class '${c}' has no samples`);
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
