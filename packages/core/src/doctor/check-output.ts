import { probeFolder } from './probe-folder.js';
import { check, type DoctorCheck } from './doctor-check.js';

/**
 * Whether results can be written to the output folder (`--out`, else the working folder): an error
 * when it is a file or cannot be written (train, eval and bench would fail after all their work).
 */
export function checkOutput(out: string | undefined, cwd: string): DoctorCheck {
  const p = probeFolder(out ?? cwd);
  const from = out ? '--out' : 'the working folder';
  const facts = { dir: p.path, from, kind: p.kind, writable: p.writable };
  if (p.writable) {
    return check(
      'output',
      'ok',
      `output folder ${p.path} (${from}) is writable${p.kind === 'missing' ? ` (${p.note})` : ''}`,
      { facts },
    );
  }
  const fixes =
    p.kind === 'file'
      ? [`${p.path} is a file: give --out a folder path (train and eval write a folder of files)`]
      : [`write somewhere you may: --out ~/fewshot-runs/NAME, or fix the permissions (ls -ld ${p.path})`];
  return check('output', 'error', `output folder ${p.path} (${from}) cannot be written: ${p.note}`, { fixes, facts });
}
