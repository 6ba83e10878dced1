/** Ids of what this plugin provides, as experiments name them (`modality:`, `model.encoder:`). */
export const MODALITY_ID = '__MODALITY_ID__';
export const DENSE_ENCODER_ID = '__ENCODER_ID__';
