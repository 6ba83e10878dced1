import { ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { Conv4Encoder } from './conv4-encoder.js';
import { ImageModality } from './image-modality.js';
import { KochEncoder } from './koch-encoder.js';

/** The image plugin: the `image` modality and the `conv4` and `koch` encoders. */
export default new ContainerModule(({ bind }) => {
  bind(ImageModality).toSelf().inSingletonScope();
  bind(Modality).toService(ImageModality);
  bind(Conv4Encoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(Conv4Encoder);
  bind(KochEncoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(KochEncoder);
});
