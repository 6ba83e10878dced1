import type { LabeledSet } from '../labeled-set.js';
import { ConfigError } from '../errors.js';

/**
 * Splits must never leak: no file may be in two splits, and (unless `allowSharedClasses`, for tasks
 * such as new speakers saying known words) no class label may be in two splits. A file holding several
 * samples of a split (an archive read in place) counts once per sample id, so two splits may take
 * different samples of it.
 */
export function checkDisjoint(splits: readonly { name: string; set: LabeledSet }[], allowSharedClasses = false): void {
  const fileOwner = new Map<string, string>();
  const classOwner = new Map<string, string>();
  for (const { name, set } of splits) {
    const perFile = new Map<string, number>();
    for (const s of set.samples) perFile.set(s.path, (perFile.get(s.path) ?? 0) + 1);
    for (const s of set.samples) {
      const key = perFile.get(s.path)! > 1 ? `${s.path}\n${s.id}` : s.path;
      const prev = fileOwner.get(key);
      if (prev !== undefined && prev !== name) {
        throw new ConfigError(`${prev} and ${name} share the file ${s.path} (class '${s.label}')`, {
          hints: ['train, validation and test must hold different samples: fix their paths or include/exclude lists'],
        });
      }
      fileOwner.set(key, name);
    }
    if (allowSharedClasses) continue;
    for (const c of set.classes) {
      const prev = classOwner.get(c);
      if (prev !== undefined && prev !== name) {
        throw new ConfigError(`${prev} and ${name} share the class '${c}'`, {
          hints: [
            'train, validation and test must hold different classes: fix their include/exclude lists',
            'or, for splits by speaker or drawer of the same classes, set data.sharedClasses: true',
          ],
        });
      }
      classOwner.set(c, name);
    }
  }
}
