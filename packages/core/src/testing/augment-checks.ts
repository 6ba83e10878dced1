import { parseOptions, Rng } from '../plugin.js';
import type { ConformanceCheck } from './conformance-options.js';
import { needs, type ConformanceSubject } from './conformance-subject.js';

const SEED = 20_151;
/** Samples augmented per check (the first ones of the fixture). */
const SAMPLES = 4;

/** With `augment`: the same Rng seed gives the same augmented sample, of unchanged length and finite values. */
export function augmentDeterminismCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'augment is deterministic for a seed (same Rng seed, same output; length unchanged)',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre, size } = await needs('sampleShape', () => subject.prepared());
      const set = await needs('load', () => subject.set());
      const decoded = await needs('decode', () => subject.decoded());
      if (!modality.augmentSchema)
        throw new Error(
          `augment settings were given, but the '${modality.id}' modality has no augmentSchema (so train.augment must stay empty)`,
        );
      const options = parseOptions(modality.augmentSchema, subject.options.augment ?? {}, 'augment') as Record<
        string,
        unknown
      >;
      if (!modality.augment) {
        if (modality.augmentClasses) return; // class augmentation only (checked by training, not here)
        throw new Error(`the '${modality.id}' modality has an augmentSchema but neither augment nor augmentClasses`);
      }
      for (const [i, sample] of decoded.slice(0, SAMPLES).entries()) {
        const file = set.samples[i]?.path;
        const a = sample.slice();
        const b = sample.slice();
        modality.augment(a, pre, options, new Rng(SEED + i));
        modality.augment(b, pre, options, new Rng(SEED + i));
        if (a.length !== size) throw new Error(`augmenting ${file} left ${a.length} values, expected ${size}`);
        const bad = a.findIndex((x) => !Number.isFinite(x));
        if (bad >= 0) throw new Error(`augmenting ${file} gave ${a[bad]} at index ${bad}, expected finite values`);
        const k = a.findIndex((x, j) => !Object.is(x, b[j]));
        if (k >= 0)
          throw new Error(
            `augmenting ${file} twice with Rng seed ${SEED + i} gave ${a[k]} and then ${b[k]} at index ${k}, expected the same values (draw every random number from the Rng given)`,
          );
      }
    },
  };
}

/** augmentSchema rejects a misspelt key, so a typo in `train.augment` is a ConfigError before any decoding. */
export function augmentTypoCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'augmentSchema rejects a misspelt key',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      if (!modality.augmentSchema) {
        if (subject.options.augment === undefined) return;
        throw new Error(`augment settings were given, but the '${modality.id}' modality has no augmentSchema`);
      }
      const given = subject.options.augment ?? {};
      const first = Object.keys(given)[0];
      const typo = first === undefined ? 'notAnAugmentOption' : `${first}Typo`;
      const value = first === undefined ? true : given[first];
      const result = modality.augmentSchema.safeParse({ ...given, [typo]: value });
      if (result.success) {
        throw new Error(
          `augmentSchema accepted the unknown key '${typo}' (${JSON.stringify({ [typo]: value })}), expected it rejected (use z.strictObject)`,
        );
      }
    },
  };
}
