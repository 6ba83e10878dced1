import type * as tf from '@tensorflow/tfjs';

/**
 * Forward floating-point operations (multiply and add counted separately) of one sample through a
 * LayersModel, from its conv and dense layers (other layers are cheap and ignored).
 */
export function forwardFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Record<string, unknown>;
    const out = layer.outputShape as (number | null)[];
    if (cls === 'Conv2D') {
      const [kh, kw] = cfg['kernelSize'] as [number, number];
      const inShape =
        layer.inputSpec?.[0]?.shape ?? (layer as unknown as { batchInputShape?: number[] }).batchInputShape;
      const cin = (layer.getWeights()[0]?.shape[2] ?? inShape?.[3] ?? 1) as number;
      flops += 2 * (out[1] ?? 0) * (out[2] ?? 0) * (out[3] ?? 0) * kh * kw * cin;
    } else if (cls === 'Dense') {
      const w = layer.getWeights()[0];
      if (w) flops += 2 * w.shape[0]! * w.shape[1]!;
    } else if ((layer as unknown as { layers?: unknown }).layers) {
      flops += forwardFlops(layer as unknown as tf.LayersModel);
    }
  }
  return flops;
}
