import { Rng } from '@fewshot/core';

/** A reproducible seed for one layer's initialiser, from the model seed and the layer's name. */
export function layerSeed(seed: number, layer: string): number {
  return new Rng(seed).fork(layer).seed;
}
