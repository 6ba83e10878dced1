import { Baseline, ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { TimeseriesDtwBaseline } from './dtw-baseline.js';
import { RnnEncoder } from './rnn-encoder.js';
import { TcnEncoder } from './tcn-encoder.js';
import { TimeseriesModality } from './timeseries-modality.js';

/** The timeseries plugin: the `timeseries` modality, the `timeseries-tcn` and `timeseries-rnn` encoders and the `timeseries-dtw` baseline. */
export default new ContainerModule(({ bind }) => {
  bind(Modality).toConstantValue(new TimeseriesModality());
  bind(EncoderFactory).toConstantValue(new TcnEncoder());
  bind(EncoderFactory).toConstantValue(new RnnEncoder());
  bind(Baseline).toConstantValue(new TimeseriesDtwBaseline());
});
