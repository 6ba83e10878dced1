/**
 * @fewshot/core: the library. Plugins should import from `@fewshot/core/plugin` (the narrow, stable
 * entry); this entry adds the machinery that runs experiments: config, data stores, samplers, models,
 * training, evaluation, the plugin container and the CLI.
 */
export { tf } from './tfjs.js';
export { z } from 'zod';

// the plugin contract (everything of @fewshot/core/plugin but its re-exports of inversify and the helpers below)
export { FewshotError, ConfigError, DataError, ModelError, PluginError, BackendError } from './errors.js';
export { Rng } from './rng.js';
export { LabeledSet, type SampleRef } from './labeled-set.js';
export {
  Modality,
  sampleShape,
  shapeSize,
  describeShape,
  augmentSettings,
  type DatasetSpec,
  type DimName,
  type LoadReport,
  type Preprocess,
  type SampleShape,
} from './modality.js';
export { EncoderFactory, type EncoderBuildContext } from './encoder-factory.js';
export { Baseline, baselineScorer, type EpisodeScorer } from './baseline.js';
export { parseOptions } from './parse-options.js';
export { layerSeed } from './layer-seed.js';
export {
  listFolder,
  listDatasetRoot,
  hasExtension,
  selectGroups,
  unknownNameError,
  noSamplesError,
  loadLayout,
  previewNames,
  compareNames,
  type FolderEntries,
} from './data/dataset-folder.js';

// plugins and their container
export { ModalityRegistry, DefaultModalityRegistry } from './registry.js';
export { createContainer, type FewshotContainer } from './container.js';
export { BUILTIN_PLUGINS, loadPlugin, loadPlugins, type LoadedPlugin } from './plugin-loader.js';

// config
export {
  ExperimentSchema,
  DataSchema,
  SplitSchema,
  EpisodesSchema,
  ModelSchema,
  ScheduleSchema,
  TrainSchema,
  TtaSchema,
  EvalSchema,
  type ExperimentConfig,
  type DataConfig,
  type SplitConfig,
  type EpisodesConfig,
  type ModelConfig,
  type TrainConfig,
  type TtaConfig,
  type EvalConfig,
} from './config/experiment-schema.js';
export {
  loadConfig,
  parseConfigText,
  parseConfigObject,
  resolveDataPath,
  configToYaml,
  saveResolvedConfig,
  INLINE_FILE,
  DEFAULT_DATA_DIR,
  type LoadedConfig,
} from './config/load-config.js';
export { parseOverride, type ParsedOverride } from './config/apply-overrides.js';
export { formatProblem, type ConfigProblem } from './config/describe-issues.js';
export { didYouMean } from './config/did-you-mean.js';

// experiments
export {
  openExperiment,
  validatePreprocess,
  validateAugment,
  splitSpec,
  decodeSplit,
  loadSplits,
  buildModel,
  pixelBaseline,
  type Experiment,
  type SplitName,
} from './experiment.js';
export {
  initBackend,
  selectBackend,
  type BackendChoice,
  type BackendInfo,
  type BackendName,
} from './backend/select-backend.js';
export { StreamProgress, SilentProgress, formatDuration, type ProgressSink, type ProgressTask } from './progress.js';

// decoded data
export {
  SampleStore,
  effectiveStorage,
  UINT8_SCALE,
  type DecodedSet,
  type DecodeOptions,
  type SampleDtype,
  type SampleStorage,
  type SkippedSample,
} from './data/sample-store.js';
export {
  decodeCached,
  sampleCacheDir,
  sampleCacheKey,
  canonicalJson,
  SAMPLE_CACHE_FORMAT,
  type CachedDecodeOptions,
  type CachedDecodedSet,
  type SampleCacheManifest,
  type SampleCacheReport,
} from './data/sample-cache.js';

// samplers
export { makePairs, PairSampler, type Pair } from './samplers/make-pairs.js';
export { TripletSampler, type Triplet } from './samplers/triplet-sampler.js';
export { EpisodeSampler, type Episode, type EpisodeShape } from './samplers/episode-sampler.js';
export { checkDisjoint } from './samplers/check-disjoint.js';

// models
export { buildHead, type HeadKind, type HeadOptions } from './model/heads.js';
export { loadLayersModel, saveLayersModel } from './model/model-io.js';
export { PairModel, MODEL_META_FILE, loadPairEncoder, type PairModelMeta } from './model/pair-model.js';
export {
  EnsembleModel,
  loadModel,
  readModelMeta,
  saveEnsembleMeta,
  type EnsembleMeta,
  type ModelMeta,
  type ScoringModel,
} from './model/ensemble-model.js';
export {
  combineModels,
  COMBINED_SOURCES_FILE,
  type CombineModelsOptions,
  type CombineModelsResult,
  type CombinedMember,
} from './model/combine-models.js';
export { foldBatchNorm } from './model/fold-batch-norm.js';

// training
export { trainPairModel, type EpochRecord, type TrainOptions, type TrainResult } from './train/trainer.js';
export { learningRateAt } from './train/learning-rate.js';
export { makeOptimizer, setLearningRate } from './train/make-optimizer.js';
export {
  GradientWorkerPool,
  GradientWorkerError,
  type GradientWorkerPoolOptions,
  type InferencePoolOptions,
  type OptimizerSettings,
} from './train/parallel/gradient-worker-pool.js';

// evaluation
export { meanCi95 } from './eval/stats.js';
export { evaluateEpisodes, type EpisodeResult } from './eval/evaluate-episodes.js';
export { readLakeRuns, type ExplicitRuns } from './eval/lake-runs.js';
export { runEvaluation, type EvalOptions, type EvalReport } from './eval/run-evaluation.js';
export { embedParallel } from './eval/parallel-embedder.js';
export { ttaScorer } from './eval/tta-scorer.js';

// performance
export { measureSpeed, type BackendSpeed, type SpeedOptions, type SpeedReport } from './perf/measure-speed.js';
export { forwardFlops } from './perf/count-flops.js';

export { runCli } from './cli/run-cli.js';

// library API, objectives, shared loaders
export * from './api/index.js';
export * from './train/objective.js';
export * from './data/loaders/index.js';
export { PixelBaseline } from './pixel-baseline.js';
// data sets: the registry, fetch, verify, and the check of a user's folders (fewshot data ...)
export {
  DATA_SETS,
  findDataSet,
  resolveDataDir,
  dataSetPresence,
  fetchDataSet,
  downloadFile,
  unpackZip,
  verifyDataSet,
  checkClassFolders,
  fetchHintFor,
  dataSetFor,
  fetchMissingData,
  experimentDataPaths,
  StreamByteProgress,
  SilentByteProgress,
  type DataSetEntry,
  type ArchiveSource,
  type Expectation,
  type SampleCounts,
  type ByteProgress,
  type FetchOptions,
  type FetchedArchive,
  type DataSetAt,
  type FetchMissingOptions,
  type FetchedDataSet,
  type FetchedSummary,
  type FetchDataOptions,
  type DownloadOptions,
  type VerifyOptions,
  type VerifyReport,
  type CheckOptions,
  type CheckReport,
} from './data-sets/index.js';
export * from './bench/index.js';
export * from './schema/index.js';
