import type { TrainConfig } from '../config/experiment-schema.js';

/** Learning rate for a 0-based epoch under the configured schedule (with optional linear warm-up). */
export function learningRateAt(
  train: Pick<TrainConfig, 'learningRate' | 'schedule' | 'epochs'>,
  epoch: number,
): number {
  const { learningRate: base, schedule: s, epochs } = train;
  if (s.warmupEpochs > 0 && epoch < s.warmupEpochs) return (base * (epoch + 1)) / (s.warmupEpochs + 1);
  const e = epoch - s.warmupEpochs;
  switch (s.type) {
    case 'constant':
      return base;
    case 'step':
      return base * s.gamma ** Math.floor(e / s.stepEpochs);
    case 'exponential':
      return base * s.gamma ** e;
    case 'cosine': {
      const span = Math.max(1, epochs - s.warmupEpochs);
      return (
        s.minLearningRate + (base - s.minLearningRate) * 0.5 * (1 + Math.cos((Math.PI * Math.min(e, span)) / span))
      );
    }
  }
}
