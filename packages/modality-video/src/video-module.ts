import { Baseline, ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { FramePoolEncoder } from './frame-pool-encoder.js';
import { LastFramePixelBaseline } from './last-frame-baseline.js';
import { VideoModality } from './video-modality.js';

/** The video plugin: the `video` modality, the `frame-pool` encoder and the `last-frame-pixel` baseline. */
export default new ContainerModule(({ bind }) => {
  bind(VideoModality).toSelf().inSingletonScope();
  bind(Modality).toService(VideoModality);
  bind(FramePoolEncoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(FramePoolEncoder);
  bind(LastFramePixelBaseline).toSelf().inSingletonScope();
  bind(Baseline).toService(LastFramePixelBaseline);
});
