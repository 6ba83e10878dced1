import path from 'node:path';
import { loadConfig } from '@fewshot/core';
import { REPO_ROOT } from './shared-data.js';

/** The resolved config with the fields that may differ between a final fit and its validation twin removed. */
async function recipe(file: string): Promise<unknown> {
  const { config } = await loadConfig(path.join(REPO_ROOT, 'config', file));
  const { name: _name, data, train, ...rest } = config;
  const { train: _train, validation: _validation, ...dataRest } = data;
  const { earlyStopping: _stop, validation: _val, ...trainRest } = train;
  return { ...rest, data: dataRest, train: trainRest };
}

describe('shipped configs', () => {
  it('config/omniglot.yaml is config/omniglot-validation.yaml without its validation split', async () => {
    expect(await recipe('omniglot.yaml')).toEqual(await recipe('omniglot-validation.yaml'));
  });
});
