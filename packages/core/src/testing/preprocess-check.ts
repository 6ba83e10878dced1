import { isDeepStrictEqual } from 'node:util';
import type { ConformanceCheck } from './conformance-options.js';
import { messageOf, needs, type ConformanceSubject } from './conformance-subject.js';

/**
 * The parsed preprocessing settings, as a trained model saves them (JSON in fewshot.json), parse again
 * to the same settings: `fewshot eval --model` and `classify` decode new files with them.
 */
export function preprocessRoundTripCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'preprocessSchema parses its own output (as a model saves it) to the same settings',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre } = await needs('sampleShape', () => subject.prepared());
      const saved: unknown = JSON.parse(JSON.stringify(pre));
      const again = modality.preprocessSchema.safeParse(saved);
      if (!again.success) {
        throw new Error(`preprocessSchema rejects its own output ${JSON.stringify(saved)}: ${messageOf(again.error)}`);
      }
      if (!isDeepStrictEqual(again.data, saved)) {
        throw new Error(
          `preprocessSchema parses its own output ${JSON.stringify(saved)} to ${JSON.stringify(again.data)}, expected the same settings (a saved model would decode differently)`,
        );
      }
    },
  };
}
