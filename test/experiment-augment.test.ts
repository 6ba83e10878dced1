import { ConfigError, openExperiment, parseConfigText } from '@fewshot/core';
import { TOY_PLUGIN } from './toy-data.js';

const FILE = '/nowhere/augment.yaml';

/** Open an experiment whose data does not exist: any problem found must come before decoding. */
async function openError(text: string, overrides: string[] = []): Promise<ConfigError> {
  try {
    await openExperiment(parseConfigText(text, FILE, overrides), { backend: 'cpu' });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('openExperiment accepted the config');
}

describe('train.augment and eval.tta.augment are validated when the experiment opens', () => {
  it('reports a typo in train.augment with its line and column, before any data is read', async () => {
    const text = 'modality: image\ndata:\n  train: { path: no/such/folder }\ntrain:\n  augment:\n    afine: true\n';
    const e = await openError(text);
    expect(e.message).toBe("1 problem in train.augment for the 'image' modality");
    expect(e.hints).toEqual([`${FILE}:6:5: train.augment.afine: unknown key 'afine' (did you mean 'affine'?)`]);
  });

  it('reports bad values and eval.tta.augment problems too, and --set overrides by their text', async () => {
    const text =
      'modality: audio\ndata:\n  train: { path: x }\ntrain:\n  augment: { timeMasks: -1 }\neval:\n  tta:\n    augment:\n      freqMasks: many\n';
    const e = await openError(text);
    expect(e.hints[0]).toMatch(new RegExp(`^${FILE}:5:\\d+: train\\.augment\\.timeMasks: must be >= 0, got -1$`));
    const tta = await openError('modality: audio\ndata:\n  train: { path: x }\n', ['eval.tta.augment.timeShfit=3']);
    expect(tta.message).toBe("1 problem in eval.tta.augment for the 'audio' modality");
    expect(tta.hints[0]).toMatch(
      /^--set eval\.tta\.augment\.timeShfit=3: eval\.tta\.augment\.timeShfit: unknown key 'timeShfit' \(did you mean 'timeShift'\?\)$/,
    );
  });

  it("refuses a misspelt video augmentation key (the image plugin's affine settings)", async () => {
    const e = await openError(
      'modality: video\ndata:\n  train: { path: x }\ntrain:\n  augment:\n    affine: true\n    rotaton: 5\n',
    );
    expect(e.hints[0]).toMatch(new RegExp(`^${FILE}:7:5: train\\.augment\\.rotaton: unknown key 'rotaton'`));
  });

  it('refuses train.augment for a modality that has no augmentSchema', async () => {
    const e = await openError(
      `plugins: ['${TOY_PLUGIN}']\nmodality: toy\ndata:\n  train: { path: x }\ntrain:\n  augment:\n    jitter: 2\n`,
    );
    expect(e.message).toBe("1 problem in train.augment for the 'toy' modality");
    expect(e.hints).toEqual([`${FILE}:7:5: train.augment.jitter: the 'toy' modality has no augmentation settings`]);
  });

  it('hands the modality the parsed settings, defaults included', async () => {
    const exp = await openExperiment(
      parseConfigText('modality: audio\ndata:\n  train: { path: x }\ntrain:\n  augment: { timeShift: 3 }\n', FILE),
      { backend: 'cpu' },
    );
    expect(exp.augment).toEqual({ timeShift: 3, timeMasks: 0, timeMaskFrames: 10, freqMasks: 0, freqMaskBands: 4 });
    expect(exp.ttaAugment).toEqual({ timeShift: 0, timeMasks: 0, timeMaskFrames: 10, freqMasks: 0, freqMaskBands: 4 });
    expect(exp.sampleShape).toEqual({ dims: [98, 13, 1], names: ['time', 'features', 'channels'] });
  });
});
