import { Container } from 'inversify';
import { Baseline, EncoderFactory, Modality } from '@fewshot/core/plugin';
import audioModule, { AudioConv1dEncoder, AudioConv2dEncoder, AudioModality } from './index.js';

describe('audio plugin module', () => {
  it('binds the audio modality, its two encoders and the dtw and mfcc-mean baselines', () => {
    const container = new Container();
    container.load(audioModule);
    const modalities = container.getAll<Modality>(Modality);
    expect(modalities.map((m) => m.id)).toEqual(['audio']);
    expect(container.get(AudioModality)).toBe(modalities[0]);
    const encoders = container.getAll<EncoderFactory>(EncoderFactory);
    expect(encoders.map((e) => e.id).sort()).toEqual(['audio-conv1d', 'audio-conv2d']);
    expect(container.get(AudioConv2dEncoder)).toBe(encoders.find((e) => e.id === 'audio-conv2d'));
    expect(container.get(AudioConv1dEncoder).modalities).toEqual(['audio']);
    const baselines = container.getAll<Baseline>(Baseline);
    expect(baselines.map((b) => b.id).sort()).toEqual(['dtw', 'mfcc-mean']);
    expect(baselines.every((b) => b.modalities.includes('audio'))).toBe(true);
  });
});
