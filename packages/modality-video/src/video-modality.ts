import {
  loadLayout,
  type DatasetSpec,
  type Rng,
  type LabeledSet,
  type Modality,
  type SampleRef,
  type SampleShape,
} from '@fewshot/core/plugin';
import {
  defaultTimeoutMs,
  framesToSample,
  readFramesMany,
  type RawFrames,
  type ReadFramesOptions,
} from './decode-clip.js';
import { DecodeBatcher, DecodePool } from './decode-pool.js';
import { decodeSide, refinedSample, refines } from './frame-refine.js';
import { FFMPEG_SOURCES, ffmpegVersion, findFfmpeg, type FfmpegBinary } from './ffmpeg-binary.js';
import { VIDEO_EXTENSIONS } from './video-files.js';
import { loadVideoFolder, loadVideoOmniglot } from './video-loader.js';
import {
  videoAugmentSchema,
  videoPreprocessSchema,
  videoShape,
  type VideoAugment,
  type VideoPreprocess,
} from './video-preprocess.js';
import { videoAugment } from './video-augment.js';
import { videoThumbnail } from './video-thumbnail.js';

/** Clips one ffmpeg process decodes when several are waiting (see `VideoModality`). */
export const DEFAULT_CLIPS_PER_PROCESS = 64;

const loaders: Readonly<Record<string, (spec: DatasetSpec) => Promise<LabeledSet>>> = {
  folder: loadVideoFolder,
  omniglot: loadVideoOmniglot,
};

/**
 * Videos: T frames spread uniformly over each clip (or T copies of its last frame), grey or RGB,
 * scaled to SxS by ffmpeg (several clips per process, raw frames through pipes, at most one process
 * per core), into one [time, height, width, channels] = [T, S, S, C] sample. Ink is 1 on 0 by default, as for images, so a
 * per-frame image encoder trained on Omniglot images sees the frames as it saw its images.
 */
export class VideoModality implements Modality<VideoPreprocess, VideoAugment> {
  readonly id = 'video';
  /** Bump when `decode` gives different data for the same file and settings (part of the cache key). */
  readonly cacheVersion = '2'; // 2: damaged clips (ffmpeg errors, exit 0) are rejected
  readonly description = `videos (${VIDEO_EXTENSIONS.join(', ')}) read with ffmpeg: T frames of SxS as [T, S, S, C]; class-per-folder and Omniglot-drawing layouts`;
  readonly layouts = Object.keys(loaders);
  readonly defaultEncoder = 'frame-pool';
  readonly preprocessSchema = videoPreprocessSchema;
  /** The image plugin's affine distortions, one per clip, every frame alike (see `videoAugment`); off by default. */
  readonly augmentSchema = videoAugmentSchema;
  private binary: FfmpegBinary | undefined;
  /** ms one ffmpeg run may take before it is killed (a DataError names the file). */
  readonly timeoutMs: number;
  private readonly batcher: DecodeBatcher<{ file: string; o: ReadFramesOptions }, RawFrames>;

  /**
   * `pool`: how many ffmpeg processes run at once (one per core). `options.clipsPerProcess`: clips
   * decoded by one ffmpeg process when several are waiting (default 64; 1 = one process per clip;
   * the decoded values are the same). `options.timeoutMs`: default `FEWSHOT_FFMPEG_TIMEOUT` seconds, else 60 s.
   */
  constructor(
    readonly pool = new DecodePool(),
    options: { readonly clipsPerProcess?: number; readonly timeoutMs?: number } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs();
    this.batcher = new DecodeBatcher(
      pool,
      options.clipsPerProcess ?? DEFAULT_CLIPS_PER_PROCESS,
      (items) =>
        readFramesMany(
          this.ffmpeg.path,
          items.map((i) => i.file),
          items[0]!.o,
        ),
      (i) => `${i.o.size}:${i.o.channels}:${i.o.pick?.frames}:${i.o.pick?.sampling}`,
    );
  }

  /** The ffmpeg binary (resolved on first use; PluginError listing every place searched when none works). */
  get ffmpeg(): FfmpegBinary {
    this.binary ??= findFfmpeg();
    return this.binary;
  }

  /** [time, height, width, channels]. */
  sampleShape(p: VideoPreprocess): SampleShape {
    return videoShape(p);
  }

  /** Frames are 8-bit images: with `normalize: unit` (values in [0, 1]) they may be held as bytes. */
  storesAsUint8(pre: VideoPreprocess): boolean {
    return pre.normalize === 'unit';
  }

  async load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, loaders, spec);
  }

  async decode(ref: SampleRef, p: VideoPreprocess): Promise<Float32Array> {
    void this.ffmpeg; // a missing ffmpeg is a PluginError here, not one per clip
    const raw = await this.batcher.submit({
      file: ref.path,
      o: {
        size: decodeSide(p),
        channels: p.channels,
        timeoutMs: this.timeoutMs,
        pick: { frames: p.frames, sampling: p.sampling }, // only these frames are scaled and piped
      },
    });
    return refines(p) ? refinedSample(raw, p) : framesToSample(raw, p);
  }

  /**
   * One random affine distortion of a clip, in place, the same for all its frames (`train.augment`,
   * and the views of `eval.tta`); nothing when `affine` is off (`videoAugment` checks).
   */
  augment(sample: Float32Array, p: VideoPreprocess, o: VideoAugment, rng: Rng): void {
    videoAugment(sample, p.frames, p.size, p.size, p.channels, o, rng);
  }

  /** The clip's last frame, 96x96 (report thumbnails). */
  thumbnail = (ref: SampleRef, p: VideoPreprocess): ReturnType<typeof videoThumbnail> =>
    this.pool.run(() => videoThumbnail(this.ffmpeg.path, ref, p));

  info(): Record<string, string> {
    const order = FFMPEG_SOURCES.join(' > ');
    try {
      const b = this.ffmpeg;
      return {
        ffmpeg: `${b.path} (from ${b.source}; search order ${order})`,
        'ffmpeg version': ffmpegVersion(b.path),
        'decode pool': `${this.pool.width} ffmpeg process(es) at once`,
      };
    } catch (err) {
      const hints = (err as { hints?: string[] }).hints ?? [];
      return { ffmpeg: (err as Error).message, ...(hints.length > 0 ? { 'ffmpeg search': hints.join('; ') } : {}) };
    }
  }
}
