/** Sample encodings `encodeWav` writes. */
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

/**
 * Encode channels of samples in [-1, 1] as a canonical WAV file (44-byte header; with `extensible`, a
 * WAVE_FORMAT_EXTENSIBLE header). Written independently of node-wav, for tests, fixtures and tools.
 */
export function encodeWav(
  channels: readonly Float32Array[],
  sampleRate: number,
  encoding: WavEncoding = 'pcm16',
  extensible = false,
): Uint8Array {
  const bits = Number(encoding.replace(/\D/g, ''));
  const isFloat = encoding.startsWith('float');
  const bytesPer = bits / 8;
  const n = channels[0]?.length ?? 0;
  const nc = channels.length;
  const fmtSize = extensible ? 40 : 16;
  const dataSize = n * nc * bytesPer;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + dataSize + (dataSize & 1));
  const v = new DataView(out.buffer);
  const text = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  v.setUint32(4, out.length - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  const tag = isFloat ? 3 : 1;
  v.setUint16(20, extensible ? 0xfffe : tag, true);
  v.setUint16(22, nc, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * nc * bytesPer, true);
  v.setUint16(32, nc * bytesPer, true);
  v.setUint16(34, bits, true);
  if (extensible) {
    v.setUint16(36, 22, true); // cbSize
    v.setUint16(38, bits, true); // valid bits
    v.setUint32(40, 0, true); // channel mask
    v.setUint16(44, tag, true); // sub-format GUID, first two bytes; the rest is the standard suffix
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
  }
  const d0 = 20 + fmtSize;
  text(d0, 'data');
  v.setUint32(d0 + 4, dataSize, true);
  let p = d0 + 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      const x = channels[c]![i]!;
      const s = Math.max(-1, Math.min(1, x));
      switch (encoding) {
        case 'pcm8':
          v.setUint8(p, Math.round(s * 127) + 128);
          break;
        case 'pcm16':
          v.setInt16(p, Math.round(s * 32767), true);
          break;
        case 'pcm24': {
          const q = Math.round(s * 8388607);
          v.setUint8(p, q & 0xff);
          v.setUint8(p + 1, (q >> 8) & 0xff);
          v.setUint8(p + 2, (q >> 16) & 0xff);
          break;
        }
        case 'pcm32':
          v.setInt32(p, Math.round(s * 2147483647), true);
          break;
        case 'float32':
          v.setFloat32(p, x, true); // unclipped, so NaN and out-of-range values can be written
          break;
        case 'float64':
          v.setFloat64(p, x, true);
          break;
      }
      p += bytesPer;
    }
  }
  return out;
}
