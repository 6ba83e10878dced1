export { MODALITY_ID, TCN_ENCODER_ID, RNN_ENCODER_ID, INK_TCN_ENCODER_ID, DTW_BASELINE_ID } from './ids.js';
export {
  TimeseriesModality,
  timeseriesAugmentSchema,
  readTrajectory,
  type TimeseriesAugment,
} from './timeseries-modality.js';
export {
  timeseriesPreprocessSchema,
  timeseriesShape,
  featureCount,
  preprocessTrajectory,
  resample,
  normalize,
  type TimeseriesPreprocess,
} from './timeseries-preprocess.js';
export { TrajectoryBuilder, pointCount, type Trajectory } from './trajectory.js';
export { parseStrokeText } from './parse-strokes.js';
export { parseTable, parseJsonSeries, type ColumnSettings } from './parse-table.js';
export {
  loadSeriesFolder,
  loadStrokesOmniglot,
  folderOptionsSchema,
  SERIES_FILES,
  STROKE_FILES,
} from './timeseries-loader.js';
export { listStrokeZip, readStrokeEntry, strokeEntryOf, strokeId, type StrokeEntry } from './stroke-archive.js';
export { TcnEncoder, tcnOptionsSchema, type TcnOptions } from './tcn-encoder.js';
export { RnnEncoder, rnnOptionsSchema, type RnnOptions } from './rnn-encoder.js';
export { InkTcnEncoder, inkTcnOptionsSchema, type InkTcnOptions } from './ink-tcn-encoder.js';
export { InkRaster, type InkRasterArgs } from './ink-raster.js';
export { TimeseriesDtwBaseline } from './dtw-baseline.js';
export { mapPlane, transformClasses, CLASS_TRANSFORMS, type PlaneMap } from './plane-transform.js';
export { drawTrajectory } from './trajectory-thumbnail.js';
export { default } from './timeseries-module.js';
