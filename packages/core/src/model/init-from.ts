import * as tf from '@tensorflow/tfjs';
import { ConfigError, FewshotError } from '../errors.js';
import path from 'node:path';
import { loadPairEncoder } from './pair-model.js';
import { readModelMeta } from './ensemble-model.js';

/**
 * Start `encoder` (just built from the config) from the trained encoder of the model folder `dir`
 * (`model.initFrom`): every weight, batch-norm statistics included, is copied in order. The two must
 * be the same network: as many weight arrays, each of the same shape; otherwise a ConfigError names
 * the first that differs. `where` names the config in messages. The folder's encoder is disposed.
 */
export async function initEncoderFrom(encoder: tf.LayersModel, dir: string, where: string): Promise<void> {
  const source = await asInitFromError(loadPairEncoder(dir), where);
  try {
    const from = source.encoder.getWeights();
    const to = encoder.weights;
    const theirs = `its encoder is '${source.meta.encoder}' for ${source.meta.modality} data with preprocess ${JSON.stringify(source.meta.preprocess)}`;
    const input = source.encoder.inputs[0]!.shape.slice(1).join('x');
    const mine = encoder.inputs[0]!.shape.slice(1).join('x');
    if (input !== mine)
      throw new ConfigError(
        `${where}: model.initFrom: the encoder in ${dir} takes ${input} inputs, but this experiment's samples are ${mine}`,
        { hints: [theirs, 'set data.preprocess to decode samples of the same shape'] },
      );
    if (from.length !== to.length)
      throw new ConfigError(
        `${where}: model.initFrom: the encoder in ${dir} has ${from.length} weight arrays, this config's encoder ${to.length}: not the same network`,
        { hints: [theirs, 'set model.encoder and model.encoderOptions as that model was trained'] },
      );
    for (let i = 0; i < to.length; i++) {
      const a = from[i]!.shape.join('x');
      const b = to[i]!.shape.join('x');
      if (a !== b)
        throw new ConfigError(
          `${where}: model.initFrom: weight ${i + 1} (${to[i]!.name}) is ${b} here but ${a} in ${dir}: not the same network`,
          { hints: [theirs, 'set model.encoder and model.encoderOptions as that model was trained'] },
        );
    }
    encoder.setWeights(from);
  } finally {
    source.encoder.dispose();
  }
}

/**
 * The model folder that member `k` (0-based) of an ensemble of `n` starts from with `model.initFrom:
 * dir`: `dir` itself for a single model, or, when `dir` is an ensemble, its member k (so pre-trained
 * ensembles hand on their diversity member by member; it needs at least `n` members).
 */
export async function memberInitFrom(dir: string, k: number, n: number, where: string): Promise<string> {
  const meta = await asInitFromError(readModelMeta(dir), where);
  if (meta.format !== 'fewshot-ensemble') return dir;
  if (meta.members.length < n)
    throw new ConfigError(
      `${where}: model.initFrom: ${dir} is an ensemble of ${meta.members.length}, but model.ensemble is ${n}: each member starts from the member of the same number`,
      { hints: [`set model.ensemble to at most ${meta.members.length}, or start from one of its members`] },
    );
  return path.resolve(dir, meta.members[k]!);
}

/** `p`, with a fewshot error (a missing or unreadable model folder) said as the config's `model.initFrom` problem. */
async function asInitFromError<T>(p: Promise<T>, where: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof FewshotError)) throw e;
    throw new ConfigError(`${where}: model.initFrom: ${e.message}`, { cause: e, hints: e.hints });
  }
}
