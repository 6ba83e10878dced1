import { tf } from '../tfjs.js';
import { foldBatchNorm } from '../model/fold-batch-norm.js';
import type { InferencePlan, PlanActivation, PlanStep } from './inference-plan.js';

/**
 * The inference plan of a Sequential encoder (batch norm folded into its convolutions first, as
 * `PairModel.embed` does): Conv2D (linear or ReLU), MaxPooling2D, global average / max pooling,
 * Flatten, ReLU and Dense layers, channels last. Returns null for any other encoder (a functional
 * model, a plugin's custom layer, another activation): embed it with the model itself then.
 */
export function encoderPlan(encoder: tf.LayersModel): InferencePlan | null {
  if (!(encoder instanceof tf.Sequential)) return null;
  const dims = encoder.inputs[0]!.shape.slice(1);
  const out = encoder.outputs[0]!.shape.slice(1);
  if (!dims.every((d): d is number => typeof d === 'number') || out.length !== 1 || typeof out[0] !== 'number')
    return null;
  const folded = foldBatchNorm(encoder);
  const model = folded ?? encoder;
  try {
    const steps: PlanStep[] = [];
    for (const layer of model.layers) {
      const step = stepOf(layer);
      if (!step) return null;
      steps.push(step);
    }
    return { inputShape: dims, outputSize: out[0], steps };
  } finally {
    folded?.dispose();
  }
}

type Cfg = Record<string, unknown>;

function pair(v: unknown): readonly [number, number] | null {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  return null;
}

function activationOf(cfg: Cfg): PlanActivation | null {
  const a = cfg['activation'] ?? 'linear';
  return a === 'linear' || a === 'relu' ? a : null;
}

function channelsLast(cfg: Cfg): boolean {
  return (cfg['dataFormat'] ?? 'channelsLast') === 'channelsLast';
}

function padding(cfg: Cfg): 'same' | 'valid' | null {
  const p = cfg['padding'] ?? 'valid';
  return p === 'same' || p === 'valid' ? p : null;
}

function stepOf(layer: tf.layers.Layer): PlanStep | null {
  const cfg = layer.getConfig() as Cfg;
  switch (layer.getClassName()) {
    case 'Conv2D': {
      const weights = layer.getWeights();
      const kernel = weights[0];
      const strides = pair(cfg['strides'] ?? 1);
      const dilations = pair(cfg['dilationRate'] ?? 1);
      const pad = padding(cfg);
      const activation = activationOf(cfg);
      if (!kernel || kernel.rank !== 4 || !strides || !dilations || !pad || !activation || !channelsLast(cfg))
        return null;
      return {
        op: 'conv2d',
        filter: kernel.dataSync() as Float32Array,
        filterShape: kernel.shape as [number, number, number, number],
        bias: cfg['useBias'] && weights[1] ? (weights[1].dataSync() as Float32Array) : null,
        strides,
        dilations,
        padding: pad,
        activation,
      };
    }
    case 'MaxPooling2D': {
      const poolSize = pair(cfg['poolSize'] ?? 2);
      const strides = pair(cfg['strides'] ?? cfg['poolSize'] ?? 2);
      const pad = padding(cfg);
      if (!poolSize || !strides || !pad || !channelsLast(cfg)) return null;
      return { op: 'maxPool', poolSize, strides, padding: pad };
    }
    case 'GlobalAveragePooling2D':
      return channelsLast(cfg) ? { op: 'globalAvgPool' } : null;
    case 'GlobalMaxPooling2D':
      return channelsLast(cfg) ? { op: 'globalMaxPool' } : null;
    case 'Flatten':
      return { op: 'flatten' };
    case 'ReLU':
      return cfg['maxValue'] === undefined || cfg['maxValue'] === null ? { op: 'relu' } : null;
    case 'Activation':
      return cfg['activation'] === 'relu' ? { op: 'relu' } : null;
    case 'Dense': {
      const weights = layer.getWeights();
      const kernel = weights[0];
      const activation = activationOf(cfg);
      if (!kernel || kernel.rank !== 2 || !activation) return null;
      return {
        op: 'dense',
        kernel: kernel.dataSync() as Float32Array,
        kernelShape: kernel.shape as [number, number],
        bias: cfg['useBias'] && weights[1] ? (weights[1].dataSync() as Float32Array) : null,
        activation,
      };
    }
    default:
      return null;
  }
}
