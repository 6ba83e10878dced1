import { crc32, inflateSync } from 'node:zlib';
import { encodePng } from './html-png.js';

/** The chunks of a PNG file: type, body, and whether its CRC is right. */
function chunks(png: Buffer): { type: string; body: Buffer; crcOk: boolean }[] {
  const out: { type: string; body: Buffer; crcOk: boolean }[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + len);
    out.push({ type, body, crcOk: png.readUInt32BE(at + 8 + len) === crc32(png.subarray(at + 4, at + 8 + len)) });
    at += 12 + len;
  }
  return out;
}

describe('encodePng', () => {
  it('writes a valid 8-bit RGB PNG whose pixels inflate back unchanged', () => {
    const data = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const png = encodePng({ width: 3, height: 2, channels: 3, data });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(cs.every((c) => c.crcOk)).toBe(true);
    const ihdr = cs[0]!.body;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([3, 2, 8, 2]);
    const raw = inflateSync(cs[1]!.body);
    // each row: filter byte 0, then the row's pixels
    expect([...raw]).toEqual([0, ...data.subarray(0, 9), 0, ...data.subarray(9)]);
  });

  it('writes grey images as colour type 0 and refuses a size that does not match the bytes', () => {
    const png = encodePng({ width: 2, height: 2, channels: 1, data: Uint8Array.from([0, 64, 128, 255]) });
    expect(chunks(png)[0]!.body[9]).toBe(0);
    expect([...inflateSync(chunks(png)[1]!.body)]).toEqual([0, 0, 64, 0, 128, 255]);
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(4) })).toThrow(
      /4 bytes do not make a 2x2x3 image/,
    );
    expect(() => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toThrow(RangeError);
  });
});
