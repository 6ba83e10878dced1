import type { SampleRef } from '../labeled-set.js';
import type { Modality, Preprocess } from '../modality.js';

/**
 * Decode one sample with its modality: the one place `fewshot data verify` and `fewshot data check` call
 * `Modality.decode`. Throws (DataError naming the file) when the file cannot be decoded.
 */
export async function decodeSample(modality: Modality, ref: SampleRef, pre: Preprocess): Promise<Float32Array> {
  return modality.decode(ref, pre);
}

/** A modality's default preprocessing settings (`data.preprocess: {}`). */
export function defaultPreprocess(modality: Modality): Preprocess {
  return modality.preprocessSchema.parse({});
}

/**
 * Decode `refs` two at a time; returns the ones that failed with the reason. `onDone` is called once per
 * sample (progress).
 */
export async function findUndecodable(
  modality: Modality,
  refs: readonly SampleRef[],
  onDone: () => void = () => {},
  concurrency = 2,
): Promise<{ path: string; reason: string }[]> {
  const pre = defaultPreprocess(modality);
  const failed: { path: string; reason: string; index: number }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const index = next++;
      const ref = refs[index]!;
      try {
        await decodeSample(modality, ref, pre);
      } catch (err) {
        failed.push({ path: ref.path, reason: (err as Error).message, index });
      }
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return failed.sort((a, b) => a.index - b.index).map(({ path, reason }) => ({ path, reason }));
}
