import { Container } from 'inversify';
import { EncoderFactory, Modality } from '@fewshot/core/plugin';
import imageModule, { Conv4Encoder, ImageModality, KochEncoder } from './index.js';

describe('image plugin module', () => {
  it('binds the image modality and the conv4 and koch encoders to the core identifiers', () => {
    const container = new Container();
    container.load(imageModule);
    const modalities = container.getAll<Modality>(Modality);
    expect(modalities.map((m) => m.id)).toEqual(['image']);
    expect(modalities[0]).toBeInstanceOf(ImageModality);
    expect(container.get(ImageModality)).toBe(modalities[0]); // singleton
    const encoders = container.getAll<EncoderFactory>(EncoderFactory);
    expect(encoders.map((e) => e.id).sort()).toEqual(['conv4', 'koch']);
    expect(container.get(Conv4Encoder)).toBe(encoders.find((e) => e.id === 'conv4'));
    expect(container.get(KochEncoder).preferredInput).toEqual([105, 105, 1]);
  });
});
