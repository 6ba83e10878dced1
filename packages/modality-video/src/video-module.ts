import { Baseline, ContainerModule, DataSetMaker, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { FramePoolEncoder } from './frame-pool-encoder.js';
import { LastFramePixelBaseline } from './last-frame-baseline.js';
import { DrawingVideoMaker } from './render/drawing-video-maker.js';
import { VideoModality } from './video-modality.js';

/**
 * The video plugin: the `video` modality, the `frame-pool` encoder, the `last-frame-pixel` baseline and
 * the maker of the `omniglot-drawing-videos` data set.
 */
export default new ContainerModule(({ bind }) => {
  bind(VideoModality).toSelf().inSingletonScope();
  bind(Modality).toService(VideoModality);
  bind(FramePoolEncoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(FramePoolEncoder);
  bind(LastFramePixelBaseline).toSelf().inSingletonScope();
  bind(Baseline).toService(LastFramePixelBaseline);
  bind(DrawingVideoMaker).toSelf().inSingletonScope();
  bind(DataSetMaker).toService(DrawingVideoMaker);
});
