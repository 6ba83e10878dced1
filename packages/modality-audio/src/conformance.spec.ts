// The audio plugin passes the conformance suite every fewshot plugin runs (@fewshot/core/testing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConformance } from '@fewshot/core/testing';
import { encodeWav } from './encode-wav.js';

const RATE = 16000;

/** A tone gliding from `hz` upwards, 0.5 s, pulsing so that the features change from frame to frame. */
function glide(hz: number, seconds = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(RATE * seconds) }, (_, i) => {
    const t = i / RATE;
    return 0.4 * Math.sin(2 * Math.PI * (hz + 200 * t) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 7 * t));
  });
}

/** 2 classes x 2 WAV files (16-bit mono 16 kHz): low and high tones; speaker names before the `_`. */
const fixture = mkdtempSync(join(tmpdir(), 'fewshot-audio-conformance-'));
for (const [label, hz] of [
  ['high', 1800],
  ['low', 300],
] as const) {
  mkdirSync(join(fixture, label));
  for (let s = 0; s < 2; s++)
    writeFileSync(join(fixture, label, `spk${s}_${label}.wav`), encodeWav([glide(hz + 50 * s)], RATE));
}
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

describeConformance({
  plugin: '@fewshot/modality-audio',
  modality: 'audio',
  fixture,
  layout: 'folder',
  preprocess: { duration: 0.5 },
  augment: { timeShift: 3, timeMasks: 1, timeMaskFrames: 5, freqMasks: 1, freqMaskBands: 2 },
});
