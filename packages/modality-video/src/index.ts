export { VideoModality, DEFAULT_CLIPS_PER_PROCESS } from './video-modality.js';
export {
  videoPreprocessSchema,
  videoAugmentSchema,
  videoShape,
  type VideoPreprocess,
  type VideoAugment,
} from './video-preprocess.js';
export { videoAugment } from './video-augment.js';
export {
  findFfmpeg,
  ffmpegVersion,
  FFMPEG_SOURCES,
  type FfmpegBinary,
  type FfmpegSource,
  type FfmpegSearch,
} from './ffmpeg-binary.js';
export {
  readFrames,
  readFramesMany,
  pickFrames,
  framesToSample,
  defaultTimeoutMs,
  DEFAULT_TIMEOUT_MS,
  type RawFrames,
  type ReadFramesOptions,
} from './decode-clip.js';
export { DecodePool, DecodeBatcher } from './decode-pool.js';
export { loadVideoFolder, loadVideoOmniglot, videoFolderOptionsSchema } from './video-loader.js';
export { VIDEO_EXTENSIONS, isVideoFile } from './video-files.js';
export { FrameDifferences, FramesToBatch, TemporalPool, POOLING_MODES, type PoolingMode } from './frame-layers.js';
export { FramePoolEncoder, framePoolOptionsSchema } from './frame-pool-encoder.js';
export { LastFramePixelBaseline } from './last-frame-baseline.js';
export { default } from './video-module.js';
export { parseStrokeText, videoTimeline, endTime, type PenPoint, type Stroke } from './render/strokes.js';
export { drawFrames, frameCount, stampSegment, DEFAULT_DRAW_OPTIONS, type DrawOptions } from './render/draw-frames.js';
export { encodeClip, pickCodec, type EncodeOptions } from './render/encode-clip.js';
export { readStrokeArchives, strokePathParts, type StrokeFile } from './render/stroke-archive.js';
export {
  renderDrawings,
  renderDrawingsMain,
  type RenderOptions,
  type RenderSummary,
} from './render/render-drawings.js';
