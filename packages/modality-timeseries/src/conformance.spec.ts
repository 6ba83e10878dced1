import { fileURLToPath } from 'node:url';
import { describeConformance } from '@fewshot/core/testing';
import plugin, { MODALITY_ID, RNN_ENCODER_ID, TCN_ENCODER_ID } from './index.js';

// The conformance suite every fewshot plugin passes, on fixtures/<class>/<files>: circles as CSV with a
// header and a time column, two-stroke lines as TSV without a header, zigzags as JSON strokes.
describeConformance({
  plugin,
  modality: MODALITY_ID,
  fixture: fileURLToPath(new URL('../fixtures', import.meta.url)),
  preprocess: { length: 16, direction: true, curvature: true },
  augment: { rotate: 15, scale: 0.1, noise: 0.01 },
  encoders: [TCN_ENCODER_ID, RNN_ENCODER_ID],
  encoderOptions: {
    [TCN_ENCODER_ID]: { blocks: 2, filters: 8, embedding: 8 },
    [RNN_ENCODER_ID]: { units: 8, embedding: 8 },
  },
});
