import { Baseline, ContainerModule, EncoderFactory, Modality } from '@fewshot/core/plugin';
import { TimeseriesDtwBaseline } from './dtw-baseline.js';
import { InkTcnEncoder } from './ink-tcn-encoder.js';
import { RnnEncoder } from './rnn-encoder.js';
import { TcnEncoder } from './tcn-encoder.js';
import { TimeseriesModality } from './timeseries-modality.js';

/** The timeseries plugin: the `timeseries` modality, the `timeseries-tcn`, `timeseries-rnn` and `timeseries-ink-tcn` encoders and the `timeseries-dtw` baseline. */
export default new ContainerModule(({ bind }) => {
  bind(Modality).toConstantValue(new TimeseriesModality());
  bind(EncoderFactory).toConstantValue(new TcnEncoder());
  bind(EncoderFactory).toConstantValue(new RnnEncoder());
  bind(EncoderFactory).toConstantValue(new InkTcnEncoder());
  bind(Baseline).toConstantValue(new TimeseriesDtwBaseline());
});
