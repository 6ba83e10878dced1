/** Ids of what this plugin provides, as experiments and commands name them. */
export const MODALITY_ID = 'timeseries';
/** The default encoder: a 1-D temporal convolutional network. */
export const TCN_ENCODER_ID = 'timeseries-tcn';
/** A trained image encoder on the trajectory drawn as ink, plus a temporal conv net. */
export const INK_TCN_ENCODER_ID = 'timeseries-ink-tcn';
/** The recurrent encoder (GRU or LSTM). */
export const RNN_ENCODER_ID = 'timeseries-rnn';
/** Dynamic time warping of the decoded sequences (`fewshot eval --baseline timeseries-dtw`). */
export const DTW_BASELINE_ID = 'timeseries-dtw';
