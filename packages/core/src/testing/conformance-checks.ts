import { augmentDeterminismCheck, augmentTypoCheck } from './augment-checks.js';
import { badFileCheck } from './bad-file-check.js';
import type { ConformanceCheck, ConformanceOptions } from './conformance-options.js';
import { ConformanceSubject } from './conformance-subject.js';
import { decodeDeterminismCheck, decodeShapeCheck, uint8RangeCheck } from './decode-checks.js';
import { encoderChecks } from './encoder-checks.js';
import { folderLayoutCheck, loadCheck } from './load-checks.js';
import { pluginCheck } from './plugin-check.js';
import { preprocessRoundTripCheck } from './preprocess-check.js';

/**
 * The checks a plugin's modality must pass, in order. They share one loaded plugin and one decoded
 * fixture; a check whose prerequisite failed says so instead of repeating the fault. Run them with
 * `checkPlugin`, register them with a test framework with `describeConformance`, or run each
 * `check.run()` yourself.
 */
export function conformanceChecks(options: ConformanceOptions): ConformanceCheck[] {
  const subject = new ConformanceSubject(options);
  return [
    pluginCheck(subject),
    loadCheck(subject),
    decodeShapeCheck(subject),
    preprocessRoundTripCheck(subject),
    uint8RangeCheck(subject),
    decodeDeterminismCheck(subject),
    badFileCheck(subject),
    ...(options.augment !== undefined ? [augmentDeterminismCheck(subject)] : []),
    augmentTypoCheck(subject),
    ...encoderChecks(subject),
    folderLayoutCheck(subject),
  ];
}
