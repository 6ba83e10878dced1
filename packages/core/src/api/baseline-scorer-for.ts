import { baselineScorer, type EpisodeScorer } from '../baseline.js';
import { ConfigError } from '../errors.js';
import { pixelBaseline, type Experiment } from '../experiment.js';

/**
 * The parameter-free baseline `id` for the experiment's data, as an EpisodeScorer: `pixel` (nearest
 * neighbour on the decoded input, built in), or a baseline a plugin provides for the experiment's
 * modality. The caller disposes it.
 */
export function baselineScorerFor(exp: Experiment, id: string): EpisodeScorer {
  if (id === 'pixel') return pixelBaseline(exp);
  const baseline = exp.plugins.registry.baseline(id);
  if (baseline.modalities.length > 0 && !baseline.modalities.includes(exp.modality.id)) {
    throw new ConfigError(
      `the baseline '${id}' works on ${baseline.modalities.join(', ')} data, but ${exp.loaded.file} uses the '${exp.modality.id}' modality`,
    );
  }
  return baselineScorer(baseline, exp.sampleShape);
}

/** The name an evaluation report gives the baseline `id`. */
export function baselineName(id: string): string {
  return id === 'pixel' ? 'pixel nearest neighbour' : `baseline ${id}`;
}
