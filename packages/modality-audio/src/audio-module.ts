import { Baseline, ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { AudioConv1dEncoder } from './audio-conv1d-encoder.js';
import { AudioConv2dEncoder } from './audio-conv2d-encoder.js';
import { AudioModality } from './audio-modality.js';
import { DtwBaseline } from './dtw-baseline.js';
import { MfccMeanBaseline } from './mfcc-mean-baseline.js';

/** The audio plugin: the `audio` modality, the `audio-conv2d` and `audio-conv1d` encoders, the `dtw` and `mfcc-mean` baselines. */
export default new ContainerModule(({ bind }) => {
  bind(AudioModality).toSelf().inSingletonScope();
  bind(Modality).toService(AudioModality);
  bind(AudioConv2dEncoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(AudioConv2dEncoder);
  bind(AudioConv1dEncoder).toSelf().inSingletonScope();
  bind(EncoderFactory).toService(AudioConv1dEncoder);
  bind(Baseline).toConstantValue(new DtwBaseline());
  bind(Baseline).toConstantValue(new MfccMeanBaseline());
});
