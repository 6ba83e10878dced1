import path from 'node:path';
import { loadConfig } from '@fewshot/core';
import { REPO_ROOT } from './shared-data.js';

/**
 * The resolved config with the fields that may differ between a final fit and its validation twin
 * removed: the splits, early stopping, and the run's length (the final fit trains a fixed number of
 * epochs, the count its time-limited twin reached; its time limit is only a guard).
 */
async function recipe(file: string): Promise<unknown> {
  const { config } = await loadConfig(path.join(REPO_ROOT, 'config', file));
  const { name: _name, data, train, ...rest } = config;
  const { train: _train, validation: _validation, ...dataRest } = data;
  const { earlyStopping: _stop, validation: _val, epochs: _epochs, timeLimitMinutes: _limit, ...trainRest } = train;
  return { ...rest, data: dataRest, train: trainRest };
}

describe('shipped configs', () => {
  it('config/omniglot.yaml is config/omniglot-validation.yaml without its validation split', async () => {
    expect(await recipe('omniglot.yaml')).toEqual(await recipe('omniglot-validation.yaml'));
  });

  it('config/omniglot.yaml trains a fixed 58 epochs, well inside its time-limit guard', async () => {
    const { config } = await loadConfig(path.join(REPO_ROOT, 'config', 'omniglot.yaml'));
    expect(config.train.epochs).toBe(58);
    // about 50 minutes on 2 idle cores, 77 on a busy machine: the guard must not end the run
    expect(config.train.timeLimitMinutes).toBeGreaterThanOrEqual(300);
  });
});
