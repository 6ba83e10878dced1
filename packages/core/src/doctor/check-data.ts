import { statSync } from 'node:fs';
import { DATA_SETS } from '../data-sets/data-set-registry.js';
import { dataSetPresence, resolveDataDir, underDataDir } from '../data-sets/data-dir.js';
import type { DataSetEntry } from '../data-sets/data-set-entry.js';
import { check, type DoctorCheck } from './doctor-check.js';

/**
 * The data folder (`dir`, else $FEWSHOT_DATA, else ./data) and which registered data sets are in it
 * (present, partial or missing; files are not opened: `fewshot data verify` does that). A warning when
 * the folder is missing or a data set is only partly there: an experiment may read other folders.
 */
export function checkData(
  dir: string | undefined,
  env: NodeJS.ProcessEnv,
  entries: readonly DataSetEntry[] = DATA_SETS,
): DoctorCheck {
  const root = resolveDataDir(dir, env);
  const from = dir ? '--data' : env['FEWSHOT_DATA'] ? '$FEWSHOT_DATA' : 'the default ./data';
  let kind: 'folder' | 'file' | 'missing';
  try {
    kind = statSync(root).isDirectory() ? 'folder' : 'file';
  } catch {
    kind = 'missing';
  }
  if (kind !== 'folder') {
    return check(
      'data',
      'warning',
      `data folder ${root} (from ${from}) ${kind === 'file' ? 'is a file, not a folder' : 'does not exist'}`,
      {
        fixes: [
          'set FEWSHOT_DATA to the folder that holds your data sets (experiments resolve data.root against it)',
          `or fetch a supported data set into it: fewshot data fetch ${entries[0]?.name ?? 'NAME'} (fewshot data list shows them all)`,
        ],
        facts: { dir: root, from, exists: false, dataSets: [] },
      },
    );
  }
  const sets = entries.map((e) => ({
    name: e.name,
    path: underDataDir(root, e.path),
    presence: dataSetPresence(e, root),
  }));
  const present = sets.filter((s) => s.presence === 'present');
  const partial = sets.filter((s) => s.presence === 'partial');
  const details = sets.map((s) => `${s.name}: ${s.presence}${s.presence === 'missing' ? '' : ` (${s.path})`}`);
  const fixes = [
    ...partial.map(
      (s) => `${s.name} is only partly there: fewshot data fetch ${s.name} (then fewshot data verify ${s.name})`,
    ),
    ...(present.length === 0
      ? [
          `no supported data set is here: fewshot data fetch NAME (fewshot data list), or point FEWSHOT_DATA at your data`,
        ]
      : []),
  ];
  return check(
    'data',
    fixes.length > 0 ? 'warning' : 'ok',
    `data folder ${root} (from ${from}): ${present.length} of ${sets.length} supported data sets present`,
    {
      details,
      fixes,
      facts: { dir: root, from, exists: true, dataSets: sets },
    },
  );
}
