/**
 * @fewshot/core/plugin: the narrow entry for plugin authors. Everything a modality, encoder or baseline
 * plugin needs, and nothing of the trainer, worker pool or CLI, so the rest of core can change without
 * breaking plugins. The built-in plugins import only from here.
 *
 * A plugin's default export is an inversify `ContainerModule` (use the one exported here, so that the
 * plugin and core share one inversify) binding `Modality`, `EncoderFactory`, `Baseline` and `Objective` to
 * its implementations.
 */
export { tf } from './tfjs.js';
export { z } from 'zod';
export { ContainerModule } from 'inversify';

export {
  Modality,
  sampleShape,
  shapeSize,
  describeShape,
  type DimName,
  type SampleShape,
  type DatasetSpec,
  type LoadReport,
} from './modality.js';
export { EncoderFactory, type EncoderBuildContext } from './encoder-factory.js';
export { Baseline } from './baseline.js';
/** Dynamic time warping over the `time` axis of a sample shape: the one DTW of the audio and time-series baselines. */
export { dtwDistance, dtwFrames } from './dtw.js';
export { LabeledSet, type SampleRef } from './labeled-set.js';
export { SampleStore, type DecodedSet } from './data/sample-store.js';
export { FewshotError, ConfigError, DataError, PluginError } from './errors.js';
export { Rng } from './rng.js';
export { layerSeed } from './layer-seed.js';
export { parseOptions } from './parse-options.js';
export {
  listDatasetRoot,
  listFolder,
  selectGroups,
  hasExtension,
  noSamplesError,
  unknownNameError,
  previewNames,
  compareNames,
  loadLayout,
  type FolderEntries,
} from './data/dataset-folder.js';
/** For encoders built on trained models (a video encoder's per-frame CNN). */
export { foldBatchNorm } from './model/fold-batch-norm.js';
export { loadPairEncoder, type PairModelMeta } from './model/pair-model.js';
/** Shared loaders for the layouts plugins repeat: class per folder at any depth, `<group>/<class>/<file>`. */
export * from './data/loaders/index.js';
/** Training objectives a plugin may add (`train.objective: <id>`). */
export { Objective, type ObjectiveModel, type ObjectiveSampler, type StepSamples } from './train/objective.js';
export type { TrainConfig } from './config/experiment-schema.js';
/** Making a registry data set that is not downloaded (`derived`) from ones that are. */
export { DataSetMaker, type DataSetMakeRequest, type DataSetMakeResult } from './data-sets/data-set-maker.js';
