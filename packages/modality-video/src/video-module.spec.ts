import { Container } from 'inversify';
import { Baseline, DataSetMaker, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { DrawingVideoMaker } from './render/drawing-video-maker.js';
import videoModule, { FramePoolEncoder, LastFramePixelBaseline, VideoModality } from './index.js';

describe('video plugin module', () => {
  it('binds the video modality, the frame-pool encoder and the last-frame-pixel baseline to the core identifiers', () => {
    const container = new Container();
    container.load(videoModule);
    const modalities = container.getAll<Modality>(Modality);
    expect(modalities.map((m) => m.id)).toEqual(['video']);
    expect(modalities[0]).toBeInstanceOf(VideoModality);
    expect(container.get(VideoModality)).toBe(modalities[0]);
    expect(container.getAll<EncoderFactory>(EncoderFactory).map((e) => e.id)).toEqual(['frame-pool']);
    expect(container.get(FramePoolEncoder).modalities).toEqual(['video']);
    expect(container.getAll<Baseline>(Baseline).map((b) => b.id)).toEqual(['last-frame-pixel']);
    expect(container.get(LastFramePixelBaseline)).toBeDefined();
    const makers = container.getAll<DataSetMaker>(DataSetMaker);
    expect(makers.map((m) => m.id)).toEqual(['omniglot-drawing-videos']);
    expect(makers[0]).toBeInstanceOf(DrawingVideoMaker);
  });
});
