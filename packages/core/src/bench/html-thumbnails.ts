import path from 'node:path';
import type { Modality } from '../modality.js';
import { encodePng, type PixelImage } from './html-png.js';
import type { BenchCellResult, BenchResults } from './results-schema.js';

/** Largest side of a thumbnail inlined in report.html; bigger pictures are subsampled to it. */
export const THUMBNAIL_MAX_SIDE = 128;

/** A thumbnail of one example file: a `data:image/png;base64,...` URL, or why there is none. */
export type Thumbnail = { readonly url: string } | { readonly missing: string };

/** The `data.preprocess` a cell's method used (model manifest, resolved experiment, or baseline). */
export function preprocessOf(cell: BenchCellResult): unknown {
  const at = (o: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
      (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      o,
    );
  return (
    at(cell.config, 'manifest', 'preprocess') ??
    at(cell.config, 'resolved', 'data', 'preprocess') ??
    at(cell.config, 'preprocess') ??
    {}
  );
}

/**
 * Thumbnails of the confusion examples of `files` (file -> the cell that named it), drawn by the
 * modality of the cell's task with that cell's preprocessing, PNG-encoded and base64-inlined.
 * A modality without `thumbnail`, or a file it cannot read, gives `missing` with the reason.
 */
export async function thumbnails(
  results: BenchResults,
  files: ReadonlyMap<string, BenchCellResult>,
  modalities: readonly Modality[],
): Promise<Map<string, Thumbnail>> {
  const modalityOfTask = new Map(results.tasks.map((t) => [t.id, t.modality]));
  const out = new Map<string, Thumbnail>();
  for (const [file, cell] of files) {
    const id = modalityOfTask.get(cell.task) ?? '';
    const modality = modalities.find((m) => m.id === id);
    if (!modality?.thumbnail) {
      out.set(file, { missing: `no thumbnail for the modality '${id}'` });
      continue;
    }
    try {
      const parsed = modality.preprocessSchema.safeParse(preprocessOf(cell));
      const pre = parsed.success ? parsed.data : modality.preprocessSchema.parse({});
      const img = await modality.thumbnail({ id: file, path: file, label: path.basename(path.dirname(file)) }, pre);
      out.set(file, { url: `data:image/png;base64,${encodePng(fitThumbnail(img)).toString('base64')}` });
    } catch (err) {
      out.set(file, { missing: (err as Error).message.split('\n')[0]! });
    }
  }
  return out;
}

/** `img` itself when it fits in THUMBNAIL_MAX_SIDE, else subsampled (nearest pixel) to fit. */
export function fitThumbnail(img: PixelImage): PixelImage {
  const scale = Math.max(img.width, img.height) / THUMBNAIL_MAX_SIDE;
  if (scale <= 1) return img;
  const width = Math.max(1, Math.round(img.width / scale));
  const height = Math.max(1, Math.round(img.height / scale));
  const c = img.channels;
  const data = new Uint8Array(width * height * c);
  for (let yy = 0; yy < height; yy++) {
    const sy = Math.min(img.height - 1, Math.floor((yy + 0.5) * scale));
    for (let xx = 0; xx < width; xx++) {
      const sx = Math.min(img.width - 1, Math.floor((xx + 0.5) * scale));
      for (let k = 0; k < c; k++) data[(yy * width + xx) * c + k] = img.data[(sy * img.width + sx) * c + k]!;
    }
  }
  return { width, height, channels: c, data };
}
