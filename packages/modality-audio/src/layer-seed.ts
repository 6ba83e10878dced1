import { Rng } from '@fewshot/core';

/**
 * A reproducible seed for one layer's initialiser: the same model seed and layer name always give
 * the same seed, different layer names give different ones (so no two kernels start alike).
 */
export function layerSeed(seed: number, layer: string): number {
  return new Rng(seed).fork(layer).seed;
}
