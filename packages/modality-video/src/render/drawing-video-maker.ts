import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { PluginError, type DataSetMaker, type DataSetMakeRequest, type DataSetMakeResult } from '@fewshot/core/plugin';
import { findFfmpeg } from '../ffmpeg-binary.js';
import { DEFAULT_DRAW_OPTIONS } from './draw-frames.js';
import { renderDrawings } from './render-drawings.js';

/** What an interrupted `encodeClip` leaves: `<name>.mp4.<pid>.tmp.mp4`. */
const UNFINISHED_CLIP = /\.mp4\.\d+\.tmp\.mp4$/;

/**
 * Makes the `omniglot-drawing-videos` data set: renders the drawings of its sources (the Omniglot
 * stroke archives) with the settings of the shared set (`render-drawings` with its defaults: 112x112,
 * 25 fps, libx264 CRF 30). Clips already in the working folder are kept, so an interrupted make resumes.
 */
export class DrawingVideoMaker implements DataSetMaker {
  readonly id = 'omniglot-drawing-videos';

  /** ffmpeg is needed: a PluginError listing every place searched when there is none. */
  check(): void {
    try {
      findFfmpeg();
    } catch (err) {
      if (!(err instanceof PluginError)) throw err;
      throw new PluginError(`${this.id} cannot be made (its clips are encoded with ffmpeg): ${err.message}`, {
        hints: err.hints,
        cause: err,
      });
    }
  }

  async make(request: DataSetMakeRequest): Promise<DataSetMakeResult> {
    await removeUnfinished(request.out);
    let pending = '';
    const lines = new Writable({
      write(chunk, _encoding, callback) {
        const parts = (pending + String(chunk)).split('\n');
        pending = parts.pop()!;
        for (const line of parts) if (line.trim()) request.log(line.trim());
        callback();
      },
    });
    const s = await renderDrawings(
      Object.values(request.sources),
      {
        out: request.out,
        draw: DEFAULT_DRAW_OPTIONS,
        codec: 'auto',
        crf: 30,
        preset: 'slow',
        force: false,
        quiet: false,
        ...(request.limit !== undefined ? { limit: request.limit } : {}),
      },
      { out: lines, err: lines },
    );
    return {
      samples: s.drawings,
      made: s.rendered,
      kept: s.existing,
      failed: s.failed,
      summary: `${s.rendered} clip(s) rendered (${s.frames} frames, codec ${s.codec}) in ${s.seconds.toFixed(1)} s`,
    };
  }
}

/** Remove the temporary files of clips whose encoding was interrupted (a killed run). */
async function removeUnfinished(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && UNFINISHED_CLIP.test(e.name)) await rm(path.join(e.parentPath, e.name), { force: true });
  }
}
