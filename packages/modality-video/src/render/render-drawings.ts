import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FewshotError } from '@fewshot/core/plugin';
import { DecodePool } from '../decode-pool.js';
import { findFfmpeg } from '../ffmpeg-binary.js';
import { DEFAULT_DRAW_OPTIONS, drawFrames, type DrawOptions } from './draw-frames.js';
import { encodeClip, pickCodec, type EncodeOptions } from './encode-clip.js';
import { readStrokeArchives, type StrokeFile } from './stroke-archive.js';
import { endTime, parseStrokeText, videoTimeline } from './strokes.js';

export interface RenderIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

const USAGE = `Usage: render-drawings <strokes.zip | folder>... --out DIR [options]

Render Omniglot stroke archives (strokes_background.zip / strokes_evaluation.zip as published, a
folder of them, or a folder of extracted <Alphabet>/characterNN/<id>_<drawer>.txt files) to drawing
videos: DIR/<Alphabet>/characterNN/<id>_<drawer>.mp4, drawn progressively as the pen moved.
The defaults give the shared omniglot-drawing-videos set.

Options:
  --out DIR          output folder (required)
  --alphabets A,B    only these alphabets
  --size N           frame side in pixels (default ${DEFAULT_DRAW_OPTIONS.size})
  --fps N            frames per second (default ${DEFAULT_DRAW_OPTIONS.fps})
  --ink N            ink width in pixels at size 112 (default ${DEFAULT_DRAW_OPTIONS.ink})
  --pause MS         every pause between strokes is set to this (default ${DEFAULT_DRAW_OPTIONS.pauseMs})
  --hold MS          the finished character is held this long (default ${DEFAULT_DRAW_OPTIONS.holdMs})
  --codec NAME       ffmpeg encoder (default auto: libx264, else libopenh264, else mpeg4)
  --crf N            libx264 quality (default 30)
  --preset NAME      libx264 preset (default slow)
  --jobs N           clips encoded at once (default: one per core)
  --limit N          render at most N drawings (after --alphabets)
  --force            re-render clips that exist
  --quiet            no progress lines
`;

/** Summary of a run. */
export interface RenderSummary {
  readonly drawings: number;
  readonly rendered: number;
  readonly existing: number;
  readonly failed: readonly { source: string; reason: string }[];
  readonly frames: number;
  readonly seconds: number;
  readonly codec: string;
}

/** The render-drawings command: returns the exit code (0 ok, 1 data error or failed drawings, 2 usage). */
export async function renderDrawingsMain(
  argv: readonly string[],
  io: RenderIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    io.err.write(`Usage error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    io.out.write(USAGE);
    return 0;
  }
  try {
    const summary = await renderDrawings(args.positionals, options(args.values), io);
    io.out.write(
      `rendered ${summary.rendered} clip(s) (${summary.existing} already there, ${summary.failed.length} failed) of ${summary.drawings} drawing(s): ` +
        `${summary.frames} frames, codec ${summary.codec}, ${summary.seconds.toFixed(1)} s\n`,
    );
    for (const f of summary.failed) io.err.write(`failed: ${f.source}: ${f.reason}\n`);
    return summary.failed.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`Usage error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof FewshotError) {
      io.err.write(`${err.title}: ${err.message}\n`);
      for (const h of err.hints) io.err.write(`  ${h}\n`);
      return 1;
    }
    throw err;
  }
}

class UsageError extends Error {}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: argv.slice(),
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      alphabets: { type: 'string' },
      size: { type: 'string' },
      fps: { type: 'string' },
      ink: { type: 'string' },
      pause: { type: 'string' },
      hold: { type: 'string' },
      codec: { type: 'string' },
      crf: { type: 'string' },
      preset: { type: 'string' },
      jobs: { type: 'string' },
      limit: { type: 'string' },
      force: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Options of `renderDrawings`. */
export interface RenderOptions {
  readonly out: string;
  readonly alphabets?: readonly string[];
  readonly draw: DrawOptions;
  readonly codec: string;
  readonly crf: number;
  readonly preset: string;
  readonly jobs?: number;
  readonly limit?: number;
  readonly force: boolean;
  readonly quiet: boolean;
}

function options(v: ReturnType<typeof parse>['values']): RenderOptions {
  const num = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${value}'`);
    return n;
  };
  if (!v.out) throw new UsageError('--out DIR is required');
  const d = DEFAULT_DRAW_OPTIONS;
  return {
    out: v.out,
    ...(v.alphabets
      ? {
          alphabets: v.alphabets
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    draw: {
      size: num('size', v.size, d.size, 8, 4096),
      fps: num('fps', v.fps, d.fps, 1, 240),
      ink: num('ink', v.ink, d.ink, 1, 64),
      pauseMs: num('pause', v.pause, d.pauseMs, 0, 1e7),
      holdMs: num('hold', v.hold, d.holdMs, 0, 1e7),
    },
    codec: v.codec ?? 'auto',
    crf: num('crf', v.crf, 30, 0, 51),
    preset: v.preset ?? 'slow',
    ...(v.jobs !== undefined ? { jobs: num('jobs', v.jobs, 1, 1, 256) } : {}),
    ...(v.limit !== undefined ? { limit: num('limit', v.limit, 0, 1, 1e9) } : {}),
    force: Boolean(v.force),
    quiet: Boolean(v.quiet),
  };
}

/**
 * Render every drawing of the stroke inputs to `<out>/<Alphabet>/<character>/<name>.mp4`. Clips that
 * exist are kept unless `force`; a drawing that cannot be parsed or encoded is listed in `failed` and
 * the others go on.
 */
export async function renderDrawings(
  inputs: readonly string[],
  o: RenderOptions,
  io: RenderIo,
): Promise<RenderSummary> {
  if (inputs.length === 0) throw new UsageError('give at least one stroke archive (zip) or folder');
  const t0 = performance.now();
  const ffmpeg = findFfmpeg().path;
  const codec = o.codec === 'auto' ? pickCodec(ffmpeg) : o.codec;
  const log = (line: string): void => {
    if (!o.quiet) io.err.write(line + '\n');
  };
  if (codec !== 'libx264')
    log(`note: encoding with ${codec} (this ffmpeg has no libx264, so the clips are not H.264 as in the shared set)`);
  let files = await readStrokeArchives(inputs);
  if (o.alphabets) {
    const known = new Set(files.map((f) => f.alphabet));
    const unknown = o.alphabets.filter((a) => !known.has(a));
    if (unknown.length > 0)
      throw new UsageError(`--alphabets: not in the archives: ${unknown.join(', ')} (found: ${[...known].join(', ')})`);
    const keep = new Set(o.alphabets);
    files = files.filter((f) => keep.has(f.alphabet));
  }
  if (o.limit !== undefined) files = files.slice(0, o.limit);
  log(
    `render-drawings: ${files.length} drawing(s) from ${inputs.join(', ')} -> ${o.out} (${o.draw.size}x${o.draw.size}, ${o.draw.fps} fps, ${codec}, ffmpeg ${ffmpeg})`,
  );

  const pool = new DecodePool(o.jobs);
  let rendered = 0;
  let existing = 0;
  let frames = 0;
  let lastLog = performance.now();
  const failed: { source: string; reason: string }[] = [];
  const encode: EncodeOptions = { size: o.draw.size, fps: o.draw.fps, codec, crf: o.crf, preset: o.preset };
  const one = async (f: StrokeFile): Promise<void> => {
    const dir = path.join(o.out, f.alphabet, f.character);
    const file = path.join(dir, `${f.name}.mp4`);
    if (
      !o.force &&
      (await stat(file).then(
        (s) => s.size > 0,
        () => false,
      ))
    ) {
      existing++;
      return;
    }
    try {
      const timeline = videoTimeline(parseStrokeText(f.text, f.source), o.draw.pauseMs);
      const drawn = drawFrames(timeline, endTime(timeline), o.draw);
      await mkdir(dir, { recursive: true });
      await encodeClip(ffmpeg, drawn, encode, file);
      rendered++;
      frames += drawn.count;
    } catch (err) {
      if (!(err instanceof FewshotError)) throw err;
      failed.push({ source: f.source, reason: err.message });
    }
    const now = performance.now();
    if (now - lastLog > 5000) {
      lastLog = now;
      const done = rendered + existing + failed.length;
      const rate = rendered / ((now - t0) / 1000);
      const eta = rate > 0 ? `, about ${Math.ceil((files.length - done) / rate)} s left` : '';
      log(
        `  ${done}/${files.length} (${rendered} rendered, ${existing} existing, ${failed.length} failed), ${rate.toFixed(1)} clips/s${eta}`,
      );
    }
  };
  await Promise.all(files.map((f) => pool.run(() => one(f))));
  return {
    drawings: files.length,
    rendered,
    existing,
    failed,
    frames,
    seconds: (performance.now() - t0) / 1000,
    codec,
  };
}
