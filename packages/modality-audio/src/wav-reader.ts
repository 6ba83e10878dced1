import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DataError } from '@fewshot/core/plugin';

const require = createRequire(import.meta.url);
/** node-wav's decoder: canonical PCM / IEEE-float WAV bytes -> one Float32Array per channel in [-1, 1]. */
const nodeWav = require('node-wav') as {
  decode(buffer: ArrayBuffer): { sampleRate: number; channelData: Float32Array[] } | undefined;
};

/** One WAV file, mixed down to mono. */
export interface WavAudio {
  readonly sampleRate: number;
  /** Channels in the file (before mix-down). */
  readonly channels: number;
  /** Encoding in the file: `pcm8`, `pcm16`, `pcm24`, `pcm32`, `float32` or `float64`. */
  readonly encoding: string;
  /** Mono samples (mean of the channels), nominally in [-1, 1]. */
  readonly samples: Float32Array;
}

/** Format tags worth naming in an "unsupported encoding" message. */
const FORMAT_NAMES: Readonly<Record<number, string>> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x0161: 'WMA',
};
const PCM = 0x0001;
const FLOAT = 0x0003;
const EXTENSIBLE = 0xfffe;

/** Read and decode one WAV file (see `decodeWav`); a missing or unreadable file is a DataError naming it. */
export function readWav(path: string): WavAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`audio file not found: ${path}`, { cause: err });
    if (code === 'EISDIR') throw new DataError(`cannot decode ${path}: it is a folder, not a WAV file`, { cause: err });
    throw new DataError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeWav(bytes, path);
}

/**
 * Decode WAV bytes: 8/16/24/32-bit integer PCM and 32/64-bit IEEE float, plain or WAVE_FORMAT_EXTENSIBLE,
 * any number of channels (mixed down to mono by their mean). The RIFF chunks are walked and checked here
 * (node-wav trusts the header: a cut-off file gives it NaN or a RangeError, a data chunk at an offset not
 * aligned to the sample size a RangeError, extensible files an "unsupported format"); the sample bytes are
 * then handed to node-wav in a canonical buffer of their own (samples at byte 56, aligned for every sample size). Throws DataError naming the
 * file for: not a WAV, truncated header or data, no samples, an unsupported encoding, NaN or infinite samples.
 */
export function decodeWav(bytes: Uint8Array, path: string): WavAudio {
  const fail = (what: string, hints: string[] = []): never => {
    throw new DataError(`cannot decode ${path}: ${what}`, { hints });
  };
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
    if (bytes.length >= 4 && (ascii(bytes, 0, 4) === 'RIFX' || ascii(bytes, 0, 4) === 'RF64')) {
      fail(`unsupported WAV variant ${ascii(bytes, 0, 4)} (only little-endian RIFF WAVE files are read)`);
    }
    fail(`not a WAV file (${bytes.length === 0 ? 'the file is empty' : `starts with ${describeStart(bytes)}`})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let offset = 12;
  for (;;) {
    if (offset + 8 > bytes.length) {
      fail(
        fmt
          ? 'truncated WAV (no data chunk before the end of the file)'
          : `truncated WAV header (the file ends after ${bytes.length} bytes, before the fmt chunk)`,
      );
    }
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16) fail(`corrupt WAV header (fmt chunk of ${size} bytes, at least 16 expected)`);
      if (body + size > bytes.length)
        fail(`truncated WAV header (the fmt chunk needs ${body + size} bytes, the file has ${bytes.length})`);
      let tag = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (tag === EXTENSIBLE) {
        if (size < 40) fail(`corrupt WAV header (WAVE_FORMAT_EXTENSIBLE fmt chunk of ${size} bytes, 40 expected)`);
        tag = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits,
      };
    } else if (id === 'data') {
      if (!fmt) fail('corrupt WAV (data chunk before the fmt chunk)');
      const f = fmt!;
      const encoding = encodingOf(f.tag, f.bits);
      if (!encoding) {
        const name = FORMAT_NAMES[f.tag];
        fail(
          `unsupported WAV encoding: ${name ?? `format tag 0x${f.tag.toString(16).padStart(4, '0')}`}${f.tag === PCM || f.tag === FLOAT ? ` at ${f.bits} bits` : ''}`,
          [
            'supported: 8, 16, 24 and 32-bit integer PCM, 32 and 64-bit float; convert it, e.g. `ffmpeg -i in.wav -c:a pcm_s16le out.wav`',
          ],
        );
      }
      if (f.channels < 1) fail('corrupt WAV header (0 channels)');
      if (f.sampleRate < 1) fail('corrupt WAV header (sample rate 0)');
      const frameBytes = (f.channels * f.bits) / 8;
      if (f.blockAlign !== frameBytes)
        fail(
          `corrupt WAV header (block align ${f.blockAlign}, ${frameBytes} expected for ${f.channels} channel(s) of ${f.bits} bits)`,
        );
      const available = bytes.length - body;
      if (size > available) {
        fail(`truncated WAV data (the header announces ${size} bytes of samples, the file holds ${available})`);
      }
      const frames = Math.floor(size / frameBytes);
      if (frames === 0) fail('the WAV file holds no samples (empty data chunk)');
      return {
        sampleRate: f.sampleRate,
        channels: f.channels,
        encoding: encoding!,
        samples: decodeSamples(bytes.subarray(body, body + frames * frameBytes), f, path),
      };
    }
    // chunks are padded to an even size
    offset = body + size + (size & 1);
  }
}

function encodingOf(tag: number, bits: number): string | undefined {
  if (tag === PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) return `pcm${bits}`;
  if (tag === FLOAT && (bits === 32 || bits === 64)) return `float${bits}`;
  return undefined;
}

/** Let node-wav convert the samples (from a fresh, aligned canonical WAV), mix down, and check they are finite. */
function decodeSamples(
  data: Uint8Array,
  f: { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  path: string,
): Float32Array {
  // 12 (RIFF) + 24 (fmt) + 12 (JUNK, 4 bytes) + 8 (data header): samples at byte 56, aligned for any sample size
  const buf = new ArrayBuffer(56 + data.length);
  const v = new DataView(buf);
  const u8 = new Uint8Array(buf);
  const text = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) u8[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  v.setUint32(4, 48 + data.length, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, f.tag, true);
  v.setUint16(22, f.channels, true);
  v.setUint32(24, f.sampleRate, true);
  v.setUint32(28, f.sampleRate * f.blockAlign, true);
  v.setUint16(32, f.blockAlign, true);
  v.setUint16(34, f.bits, true);
  text(36, 'JUNK');
  v.setUint32(40, 4, true);
  text(48, 'data');
  v.setUint32(52, data.length, true);
  u8.set(data, 56);
  let decoded: { channelData: Float32Array[] } | undefined;
  try {
    decoded = nodeWav.decode(buf);
  } catch (err) {
    throw new DataError(`cannot decode ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!decoded || decoded.channelData.length !== f.channels)
    throw new DataError(`cannot decode ${path}: the WAV decoder returned no samples`);
  const channels = decoded.channelData;
  const n = channels[0]!.length;
  let mono: Float32Array;
  if (channels.length === 1) mono = channels[0]!;
  else {
    mono = new Float32Array(n);
    for (const ch of channels) for (let i = 0; i < n; i++) mono[i]! += ch[i]!;
    const s = 1 / channels.length;
    for (let i = 0; i < n; i++) mono[i]! *= s;
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(mono[i]!)) {
      const bad = channels.findIndex((ch) => !Number.isFinite(ch[i]!));
      throw new DataError(
        `cannot decode ${path}: ${Number.isNaN(channels[bad]![i]!) ? 'NaN' : 'infinite'} sample at frame ${i}${channels.length > 1 ? ` (channel ${bad})` : ''}`,
      );
    }
  }
  return mono;
}

function ascii(bytes: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + n));
}

/** First bytes as hex and, when printable, as text: `3c 68 74 6d 6c 3e "<html>"`. */
function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = String.fromCharCode(...head);
  return /^[\x20-\x7e\t\r\n]+$/.test(text) ? `${hex} ${JSON.stringify(text)}` : hex;
}
