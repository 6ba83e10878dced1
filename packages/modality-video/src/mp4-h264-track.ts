import { DataError } from '@fewshot/core/plugin';

// Why this reads the boxes by hand (measured 2026-11-30, docs/experiments/2026-11-30-video-decoding.md):
// mp4box.js 2.4.1, of the npm libraries checked the one that gives a plain MP4's sample tables
// synchronously, was tried in its place. It gives every field used here and, with the checks below
// redone on its boxes, the same Annex B bytes for all 4,840 shared drawing videos, but it does not
// report damage: it reads tables past their box, stops at a box that runs past its parent or the file
// and prints to console.error instead of telling the caller, so each check stays ours anyway. It
// expands the sample size table as it parses, before anything can look at it: four damaged bytes (one
// size for all samples, a count in the hundreds of millions) abort the whole process (V8 "invalid size
// error"; 10^6 samples take 6 s and 370 MB) where this reader throws a DataError at once. And it took
// about three times as long per clip. codem-isoboxer and @svta/cml-iso-bmff read no sample size or
// chunk tables; mediabunny is asynchronous and about ten times slower.

/**
 * The H.264 video track of a plain MP4, read from the file's bytes: how many frames it has and its
 * coded frames as an Annex B stream (what ffmpeg's `h264_mp4toannexb` gives), so that ffmpeg can
 * decode several clips from one stream on stdin without opening and probing each file.
 */
export interface Mp4H264Track {
  /** Samples (coded frames) of the track: the frames ffmpeg decodes from the file. */
  readonly frames: number;
  /** Frame size as the sample description gives it. */
  readonly width: number;
  readonly height: number;
  /**
   * Clips whose streams may follow one another into one decoder and decode as each alone: the same
   * sequence parameter sets and the same SEI (encoder version) in the first frame.
   */
  readonly streamKey: string;
  /** Start code + SPS and PPS of `avcC`, then every sample's NAL units, each behind a start code. */
  readonly annexB: Buffer;
}

/** First box types of an ISO base media file (MP4, MOV): anything else is left to ffmpeg. */
const TOP_LEVEL = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pdin', 'uuid', 'moof', 'sidx']);
const START_CODE = Buffer.from([0, 0, 0, 1]);

interface Box {
  readonly type: string;
  /** Offset of the box's content (after its header). */
  readonly start: number;
  /** Offset just past the box. */
  readonly end: number;
}

/**
 * The H.264 track of the MP4 `bytes` (the whole file), or undefined when the file is not an MP4 or is
 * one this reader does not take on (ffmpeg then reads the file itself): not exactly one track, not
 * `avc1`, fragmented, frames in another file, frame durations that vary, presentation times that are not one frame apart,
 * an edit list that cuts frames, parameter sets inside the frames that differ from `avcC`, a first
 * frame that is not an IDR. Throws DataError naming `file` when the MP4 structure is damaged (a box or
 * table running past its end, sample tables that disagree, samples outside the file, a time scale
 * ffmpeg refuses).
 */
export function mp4H264Track(bytes: Uint8Array, file: string): Mp4H264Track | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8 || !TOP_LEVEL.has(b.toString('latin1', 4, 8))) return undefined;
  const r = new Reader(b, file);
  const top = r.boxes(0, b.length);
  if (top.some((x) => x.type === 'moof')) return undefined; // fragmented
  const moovs = top.filter((x) => x.type === 'moov');
  if (moovs.length !== 1) {
    if (moovs.length === 0) throw r.damaged('it has no movie header (moov box): truncated, or not an MP4');
    return undefined;
  }
  const moov = r.boxes(moovs[0]!.start, moovs[0]!.end);
  const traks = moov.filter((x) => x.type === 'trak');
  if (traks.length !== 1 || moov.some((x) => x.type === 'mvex')) return undefined;
  const mvhd = r.only(moov, 'mvhd');
  const movieScale = r.u32(mvhd.start + (b[mvhd.start] === 1 ? 20 : 12));

  const trak = r.boxes(traks[0]!.start, traks[0]!.end);
  const mdia = r.children(r.only(trak, 'mdia'));
  const hdlr = r.only(mdia, 'hdlr');
  if (r.type(hdlr.start + 8) !== 'vide') return undefined;
  const mdhd = r.only(mdia, 'mdhd');
  const mediaScale = r.u32(mdhd.start + (b[mdhd.start] === 1 ? 20 : 12));
  for (const [what, scale] of [
    ['movie', movieScale],
    ['track', mediaScale],
  ] as const)
    if (scale === 0 || scale > 0x7fffffff) throw r.damaged(`its ${what} time scale is ${scale | 0}`); // as ffmpeg reads it
  const minf = r.children(r.only(mdia, 'minf'));
  if (!r.selfContained(minf)) return undefined; // the frames may lie in another file
  const stbl = r.children(r.only(minf, 'stbl'));

  // sample description: one avc1 entry with its avcC
  const stsd = r.only(stbl, 'stsd');
  if (r.u32(stsd.start + 4) !== 1) return undefined;
  const entries = r.boxes(stsd.start + 8, stsd.end);
  if (entries.length !== 1 || entries[0]!.type !== 'avc1') return undefined;
  const avcC = r.boxes(entries[0]!.start + 78, entries[0]!.end).find((x) => x.type === 'avcC');
  if (!avcC) return undefined;
  const config = r.avcConfig(avcC);
  if (!config) return undefined;
  const width = b.readUInt16BE(entries[0]!.start + 24);
  const height = b.readUInt16BE(entries[0]!.start + 26);

  // sample sizes, then where each sample lies
  if (stbl.some((x) => x.type === 'stz2')) return undefined;
  const sizes = r.sampleSizes(r.only(stbl, 'stsz'));
  const n = sizes.length;
  if (n === 0 || sizes.some((s) => s === 0)) return undefined;
  const offsets = r.sampleOffsets(r.only(stbl, 'stsc'), r.chunkOffsets(stbl), sizes);
  for (let i = 0; i < n; i++)
    if (offsets[i]! + sizes[i]! > b.length)
      throw r.damaged(`frame ${i + 1} of ${n} lies past the end of the file (truncated?)`);

  // timing: every frame one duration long, presented one duration apart, none cut by the edit list
  const durations = r.runs(r.only(stbl, 'stts'), n, 'stts');
  if (durations.length !== n) throw r.damaged(`its frame durations (stts) cover ${durations.length} of ${n} frames`);
  const delta = durations[0]!;
  if (delta <= 0 || durations.some((d) => d !== delta)) return undefined;
  const ctts = stbl.find((x) => x.type === 'ctts');
  const shifts = ctts ? r.runs(ctts, n, 'ctts', true) : new Array<number>(n).fill(0);
  if (shifts.length !== n) throw r.damaged(`its composition offsets (ctts) cover ${shifts.length} of ${n} frames`);
  const pts = shifts.map((s, i) => i * delta + s).sort((x, y) => x - y);
  if (pts.some((t, i) => t !== pts[0]! + i * delta)) return undefined;
  const edts = trak.find((x) => x.type === 'edts');
  const elst = edts && r.children(edts).find((x) => x.type === 'elst');
  if (elst && !r.editKeepsAll(elst, pts[0]!, n * delta, movieScale, mediaScale)) return undefined;
  const stss = stbl.find((x) => x.type === 'stss');
  if (stss && (r.u32(stss.start + 4) === 0 || r.u32(stss.start + 8) !== 1)) return undefined;

  // the stream: parameter sets, then each sample's NAL units behind start codes
  const parts: Buffer[] = [];
  for (const ps of [...config.sps, ...config.pps]) parts.push(START_CODE, ps);
  const spsKey = config.sps.map((s) => s.toString('hex')).join(',');
  let firstSei = '';
  for (let i = 0; i < n; i++) {
    const end = offsets[i]! + sizes[i]!;
    let idr = false;
    for (let at = offsets[i]!; at < end;) {
      if (at + config.lengthSize > end)
        throw r.damaged(`frame ${i + 1} ends inside a NAL unit length (sample table and data disagree)`);
      const len = b.readUIntBE(at, config.lengthSize);
      at += config.lengthSize;
      if (len === 0 || at + len > end)
        throw r.damaged(`frame ${i + 1} has a NAL unit of ${len} bytes that does not fit in it`);
      const nal = b.subarray(at, at + len);
      const type = nal[0]! & 0x1f;
      if (type === 7 && !config.sps.some((s) => s.equals(nal))) return undefined;
      if (type === 8 && !config.pps.some((s) => s.equals(nal))) return undefined;
      if (i === 0 && type === 5) idr = true;
      if (i === 0 && type === 6) firstSei += nal.toString('hex');
      parts.push(START_CODE, nal);
      at += len;
    }
    if (i === 0 && !idr) return undefined; // decoding would lean on the clip before it
  }
  return { frames: n, width, height, streamKey: `${spsKey}|${firstSei}`, annexB: Buffer.concat(parts) };
}

/** Bounds-checked reads of one file's boxes; every failure is a DataError naming the file. */
class Reader {
  constructor(
    private readonly b: Buffer,
    private readonly file: string,
  ) {}

  damaged(why: string): DataError {
    return new DataError(`damaged MP4 ${this.file}: ${why}`, {
      hints: ['re-encode or re-download the clip; ffmpeg -v error -i <file> -f null - shows what it makes of it'],
    });
  }

  private need(at: number, n: number, what: string): void {
    if (at < 0 || at + n > this.b.length) throw this.damaged(`${what} runs past the end of the file (truncated?)`);
  }

  u32(at: number): number {
    this.need(at, 4, 'a header field');
    return this.b.readUInt32BE(at);
  }

  type(at: number): string {
    this.need(at, 4, 'a header field');
    return this.b.toString('latin1', at, at + 4);
  }

  /** The boxes laid end to end in [start, end). */
  boxes(start: number, end: number): Box[] {
    const out: Box[] = [];
    for (let at = start; at < end;) {
      if (end - at < 8) throw this.damaged(`${end - at} stray bytes at byte ${at}`);
      let size = this.b.readUInt32BE(at);
      const type = this.b.toString('latin1', at + 4, at + 8);
      let header = 8;
      if (size === 1) {
        if (end - at < 16) throw this.damaged(`box '${type}' at byte ${at} is cut short`);
        const big = this.b.readBigUInt64BE(at + 8);
        size = big > BigInt(end - at) ? Infinity : Number(big);
        header = 16;
      } else if (size === 0) size = end - at; // to the end of the file
      if (size < header || at + size > end)
        throw this.damaged(`box '${type}' at byte ${at} claims ${size} bytes, ${end - at} are left`);
      out.push({ type, start: at + header, end: at + size });
      at += size;
    }
    return out;
  }

  children(box: Box): Box[] {
    return this.boxes(box.start, box.end);
  }

  /** The one box of `type` among `boxes`. */
  only(boxes: readonly Box[], type: string): Box {
    const found = boxes.filter((x) => x.type === type);
    if (found.length !== 1) throw this.damaged(`${found.length === 0 ? 'no' : found.length} '${type}' box`);
    return found[0]!;
  }

  /** A full box's table: `count` entries of `width` bytes after `skip` bytes of the content. */
  private table(box: Box, skip: number, width: number, what: string): { count: number; at: number } {
    const count = this.u32(box.start + skip);
    const at = box.start + skip + 4;
    if (at + count * width > box.end) throw this.damaged(`its ${what} table claims ${count} entries, more than fit`);
    return { count, at };
  }

  /** avcC: NAL length size and the parameter sets; undefined for a version this reader does not know. */
  avcConfig(box: Box): { lengthSize: number; sps: Buffer[]; pps: Buffer[] } | undefined {
    const b = this.b;
    this.need(box.start, 6, 'avcC');
    if (box.end - box.start < 7 || b[box.start] !== 1) return undefined;
    const lengthSize = (b[box.start + 4]! & 3) + 1;
    if (lengthSize === 3) return undefined;
    let at = box.start + 5;
    const sets = (count: number): Buffer[] => {
      const out: Buffer[] = [];
      for (let k = 0; k < count; k++) {
        if (at + 2 > box.end) throw this.damaged('its avcC parameter sets run past their box');
        const len = b.readUInt16BE(at);
        if (at + 2 + len > box.end || len === 0) throw this.damaged('its avcC parameter sets run past their box');
        out.push(b.subarray(at + 2, at + 2 + len));
        at += 2 + len;
      }
      return out;
    };
    const sps = sets(b[at++]! & 0x1f);
    if (at >= box.end) throw this.damaged('its avcC parameter sets run past their box');
    const pps = sets(b[at++]!);
    return sps.length > 0 && pps.length > 0 ? { lengthSize, sps, pps } : undefined;
  }

  sampleSizes(stsz: Box): number[] {
    const uniform = this.u32(stsz.start + 4);
    if (uniform !== 0) {
      const count = this.u32(stsz.start + 8);
      if (count * uniform > this.b.length)
        throw this.damaged(`its ${count} frames of ${uniform} bytes exceed the file`);
      return new Array<number>(count).fill(uniform);
    }
    const { count, at } = this.table(stsz, 8, 4, 'sample size (stsz)');
    return Array.from({ length: count }, (_, i) => this.b.readUInt32BE(at + 4 * i));
  }

  chunkOffsets(stbl: readonly Box[]): number[] {
    const stco = stbl.filter((x) => x.type === 'stco' || x.type === 'co64');
    if (stco.length !== 1) throw this.damaged(`${stco.length === 0 ? 'no' : stco.length} chunk offset table (stco)`);
    const wide = stco[0]!.type === 'co64';
    const { count, at } = this.table(stco[0]!, 4, wide ? 8 : 4, 'chunk offset');
    return Array.from({ length: count }, (_, i) =>
      wide ? Number(this.b.readBigUInt64BE(at + 8 * i)) : this.b.readUInt32BE(at + 4 * i),
    );
  }

  /** Whether the media's data reference is this file: one 'url ' entry with the self-contained flag. */
  selfContained(minf: readonly Box[]): boolean {
    const dinf = minf.find((x) => x.type === 'dinf');
    if (!dinf) return false;
    const dref = this.children(dinf).find((x) => x.type === 'dref');
    if (!dref || this.u32(dref.start + 4) !== 1) return false;
    const entries = this.boxes(dref.start + 8, dref.end);
    return entries.length === 1 && entries[0]!.type === 'url ' && (this.u32(entries[0]!.start) & 1) === 1;
  }

  /** Each sample's byte offset from the sample-to-chunk table, the chunk offsets and the sizes. */
  sampleOffsets(stsc: Box, chunks: readonly number[], sizes: readonly number[]): number[] {
    const n = sizes.length;
    const { count, at } = this.table(stsc, 4, 12, 'sample-to-chunk (stsc)');
    const out: number[] = [];
    for (let e = 0; e < count && out.length < n; e++) {
      const first = this.b.readUInt32BE(at + 12 * e);
      const next = e + 1 < count ? this.b.readUInt32BE(at + 12 * (e + 1)) : chunks.length + 1;
      const perChunk = this.b.readUInt32BE(at + 12 * e + 4);
      if (first < 1 || next <= first || next > chunks.length + 1 || perChunk === 0)
        throw this.damaged('its sample-to-chunk table (stsc) is out of order or points past the chunks');
      for (let c = first; c < next && out.length < n; c++) {
        let offset = chunks[c - 1]!;
        for (let s = 0; s < perChunk && out.length < n; s++) {
          out.push(offset);
          offset += sizes[out.length - 1]!; // the samples of a chunk follow one another
        }
      }
    }
    let total = 0; // what the chunks hold in all: exactly the samples (ffmpeg reports anything else)
    for (let e = 0; e < count; e++) {
      const first = this.b.readUInt32BE(at + 12 * e);
      const next = e + 1 < count ? this.b.readUInt32BE(at + 12 * (e + 1)) : chunks.length + 1;
      total += (next - first) * this.b.readUInt32BE(at + 12 * e + 4);
    }
    if (out.length !== n || total !== n) throw this.damaged(`its chunks hold ${total} frames, its sample sizes ${n}`);
    return out;
  }

  /** A run-length table (stts, ctts) expanded to one value per sample (at most `n` + 1 of them). */
  runs(box: Box, n: number, what: string, signed = false): number[] {
    const { count, at } = this.table(box, 4, 8, what);
    const out: number[] = [];
    for (let e = 0; e < count; e++) {
      const times = this.b.readUInt32BE(at + 8 * e);
      const value = signed ? this.b.readInt32BE(at + 8 * e + 4) : this.b.readUInt32BE(at + 8 * e + 4);
      if (out.length + times > n) return new Array<number>(n + 1).fill(0); // more entries than samples
      for (let k = 0; k < times; k++) out.push(value);
    }
    return out;
  }

  /** Whether the edit list plays the media whole: one edit, from its first presented frame, at rate 1, to its end. */
  editKeepsAll(elst: Box, firstPts: number, mediaDuration: number, movieScale: number, mediaScale: number): boolean {
    const v1 = this.b[elst.start] === 1;
    const { count, at } = this.table(elst, 4, v1 ? 20 : 12, 'edit list (elst)');
    if (count !== 1) return false;
    const duration = v1 ? Number(this.b.readBigUInt64BE(at)) : this.b.readUInt32BE(at);
    const mediaTime = v1 ? Number(this.b.readBigInt64BE(at + 8)) : this.b.readInt32BE(at + 4);
    const rate = this.b.readInt32BE(at + (v1 ? 16 : 8));
    if (rate !== 0x10000 || mediaTime !== firstPts) return false;
    return duration === 0 || duration * mediaScale >= mediaDuration * movieScale;
  }
}
