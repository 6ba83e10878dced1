import type { ConformanceCheck } from './conformance-options.js';
import { needs, type ConformanceSubject } from './conformance-subject.js';

/** Every decoded sample is a Float32Array of shapeSize(sampleShape(pre)) finite values. */
export function decodeShapeCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'decode gives a Float32Array of shapeSize(sampleShape(pre)) finite values for every sample',
    async run() {
      await needs('loading the plugin', () => subject.loaded());
      await subject.prepared();
      await needs('load', () => subject.set());
      await subject.decoded();
    },
  };
}

/** When `storesAsUint8(pre)` says the samples may be stored as bytes, every decoded value lies in [0, 1]. */
export function uint8RangeCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'storesAsUint8(pre) true implies decoded values in [0, 1]',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre } = await needs('sampleShape', () => subject.prepared());
      if (modality.storesAsUint8?.(pre) !== true) return;
      const set = await needs('load', () => subject.set());
      const decoded = await needs('decode', () => subject.decoded());
      decoded.forEach((v, i) => {
        const bad = v.findIndex((x) => !(x >= 0 && x <= 1));
        if (bad >= 0) {
          throw new Error(
            `storesAsUint8(pre) is true, but ${set.samples[i]?.path} decodes to ${v[bad]} at index ${bad}, expected values in [0, 1] (they would be clamped when stored as bytes)`,
          );
        }
      });
    },
  };
}

/** Decoding the same file twice gives the same values. */
export function decodeDeterminismCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'decode is deterministic (the same file twice gives the same values)',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre } = await needs('sampleShape', () => subject.prepared());
      const set = await needs('load', () => subject.set());
      const first = await needs('decode', () => subject.decoded());
      for (const [i, ref] of set.samples.entries()) {
        const again = await modality.decode(ref, pre);
        const a = first[i] as Float32Array;
        if (again.length !== a.length)
          throw new Error(`decoding ${ref.path} twice gave ${a.length} and then ${again.length} values`);
        const k = a.findIndex((x, j) => !Object.is(x, again[j]));
        if (k >= 0)
          throw new Error(
            `decoding ${ref.path} twice gave ${a[k]} and then ${again[k]} at index ${k}, expected the same values`,
          );
      }
    },
  };
}
