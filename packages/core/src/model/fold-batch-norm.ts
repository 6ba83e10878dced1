import { tf } from '../tfjs.js';

/**
 * An inference copy of a Sequential encoder with every `Conv2D -> BatchNormalization [-> ReLU]` run
 * folded into one convolution with bias and fused activation: W' = W * gamma / sqrt(var + eps),
 * b' = (b - mean) * gamma / sqrt(var + eps) + beta. Same outputs in eval mode (up to rounding), without
 * the batch-norm and ReLU passes (about a quarter of Conv-4's embedding time on wasm). Returns null
 * when there is nothing to fold or the model is not Sequential. The caller disposes the copy.
 */
export function foldBatchNorm(model: tf.LayersModel): tf.Sequential | null {
  if (!(model instanceof tf.Sequential)) return null;
  const layers = model.layers;
  if (!layers.some((l, i) => l.getClassName() === 'Conv2D' && layers[i + 1]?.getClassName() === 'BatchNormalization'))
    return null;
  const out = tf.sequential({ name: `${model.name}_folded` });
  const pending: tf.Tensor[] = [];
  try {
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const cfg = layer.getConfig() as tf.serialization.ConfigDict;
      const bn = layers[i + 1];
      if (layer.getClassName() === 'Conv2D' && bn?.getClassName() === 'BatchNormalization' && foldable(cfg, bn)) {
        const relu = layers[i + 2];
        const fuseRelu = relu !== undefined && isPlainRelu(relu);
        const [weights, bias] = foldWeights(layer, bn);
        pending.push(weights, bias);
        const conv = layerFromConfig('Conv2D', {
          ...cfg,
          name: `${layer.name}_folded`,
          useBias: true,
          activation: fuseRelu ? 'relu' : 'linear',
          ...(i === 0 ? { batchInputShape: model.inputs[0]!.shape } : {}),
        });
        out.add(conv);
        conv.setWeights([weights, bias]);
        i += fuseRelu ? 2 : 1;
      } else {
        const copy = layerFromConfig(layer.getClassName(), {
          ...cfg,
          name: `${layer.name}_copy`,
          ...(i === 0 ? { batchInputShape: model.inputs[0]!.shape } : {}),
        });
        out.add(copy);
        copy.setWeights(layer.getWeights());
      }
    }
  } catch (err) {
    out.dispose();
    throw err;
  } finally {
    tf.dispose(pending);
  }
  return out;
}

/** A new layer of a registered class from its (serialised) config, as tfjs does when loading a model. */
function layerFromConfig(className: string, config: tf.serialization.ConfigDict): tf.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`foldBatchNorm: unknown layer class ${className}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as unknown as tf.layers.Layer;
}

function foldable(convCfg: tf.serialization.ConfigDict, bn: tf.layers.Layer): boolean {
  const axis = (bn.getConfig() as { axis?: number }).axis ?? -1;
  return (
    (axis === -1 || axis === 3) &&
    (convCfg['activation'] ?? 'linear') === 'linear' &&
    (convCfg['dataFormat'] ?? 'channelsLast') === 'channelsLast'
  );
}

function isPlainRelu(layer: tf.layers.Layer): boolean {
  const cfg = layer.getConfig() as { maxValue?: number | null; activation?: string };
  if (layer.getClassName() === 'ReLU') return cfg.maxValue === undefined || cfg.maxValue === null;
  return layer.getClassName() === 'Activation' && cfg.activation === 'relu';
}

function foldWeights(conv: tf.layers.Layer, bn: tf.layers.Layer): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const cw = conv.getWeights();
    const w = cw[0]!;
    const b = cw[1] ?? tf.zeros([w.shape[3]!]);
    const cfg = bn.getConfig() as { center?: boolean; scale?: boolean; epsilon?: number };
    const bw = bn.getWeights();
    let k = 0;
    const gamma = cfg.scale === false ? tf.onesLike(b) : bw[k++]!;
    const beta = cfg.center === false ? tf.zerosLike(b) : bw[k++]!;
    const mean = bw[k++]!;
    const variance = bw[k]!;
    const s = tf.div(gamma, tf.sqrt(tf.add(variance, cfg.epsilon ?? 1e-3)));
    return [tf.mul(w, s), tf.add(tf.mul(tf.sub(b, mean), s), beta)];
  });
}
