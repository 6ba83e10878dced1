import { ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { DenseEncoder } from './dense-encoder.js';
import { VectorModality } from './vector-modality.js';

export { MODALITY_ID, DENSE_ENCODER_ID } from './ids.js';
export {
  VectorModality,
  VECTOR_FILES,
  vectorPreprocessSchema,
  vectorAugmentSchema,
  parseVector,
  type VectorPreprocess,
  type VectorAugment,
} from './vector-modality.js';
export { DenseEncoder, denseOptionsSchema } from './dense-encoder.js';

/**
 * The plugin: what fewshot loads when an experiment lists this package (or its folder) in `plugins:`.
 * Bind more implementations here: another encoder, a `Baseline`, an `Objective`.
 */
export default new ContainerModule(({ bind }) => {
  bind(Modality).toConstantValue(new VectorModality());
  bind(EncoderFactory).toConstantValue(new DenseEncoder());
});
