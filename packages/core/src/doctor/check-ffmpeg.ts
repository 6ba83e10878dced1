import type { Modality } from '../modality.js';
import { check, firstLine, type DoctorCheck } from './doctor-check.js';

/**
 * ffmpeg as the modalities that use it report it (`info()` keys `ffmpeg`, `ffmpeg version` and, when it
 * was not found, `ffmpeg search`): which binary, from where, its version, or where it was looked for.
 * A warning when it is missing: only video needs it.
 */
export function checkFfmpeg(modalities: readonly Modality[]): DoctorCheck {
  const users = modalities.flatMap((m) => {
    let info: Record<string, string>;
    try {
      info = m.info?.() ?? {};
    } catch (err) {
      info = { ffmpeg: `could not be looked up: ${firstLine(err)}` };
    }
    return 'ffmpeg' in info ? [{ modality: m.id, info }] : [];
  });
  if (users.length === 0) {
    return check('ffmpeg', 'ok', 'not needed: no loaded modality reads files with ffmpeg', {
      facts: { found: null, needed: false },
    });
  }
  const { modality, info } = users[0]!;
  const version = info['ffmpeg version'];
  if (version === undefined || version.startsWith('cannot run it')) {
    const searched = (info['ffmpeg search'] ?? '').split('; ').filter(Boolean);
    return check('ffmpeg', 'warning', `not found, so the ${modality} modality cannot read files: ${info['ffmpeg']}`, {
      details: [...searched, ...(version ? [`ffmpeg -version: ${version}`] : [])],
      fixes: [
        'install ffmpeg (your package manager, or npm install @ffmpeg-installer/ffmpeg), or set FFMPEG_PATH to an ffmpeg executable',
        'only needed for video data',
      ],
      facts: { found: null, needed: true, modality, message: info['ffmpeg'] },
    });
  }
  return check('ffmpeg', 'ok', `${info['ffmpeg']}`, {
    details: [version],
    facts: { found: info['ffmpeg'], version, needed: true, modality },
  });
}
