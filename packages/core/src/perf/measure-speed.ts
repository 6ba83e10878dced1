import { tf } from '../tfjs.js';
import { initBackend, type BackendName } from '../backend/select-backend.js';
import type { EncoderFactory } from '../encoder-factory.js';
import { sampleShape, shapeSize, type SampleShape } from '../modality.js';
import { PairModel } from '../model/pair-model.js';
import { SampleStore } from '../data/sample-store.js';
import { makeOptimizer } from '../train/make-optimizer.js';
import { Rng } from '../rng.js';
import { forwardFlops } from './count-flops.js';
import { GradientWorkerPool } from '../train/parallel/gradient-worker-pool.js';
import { embedParallel } from '../eval/parallel-embedder.js';

export interface SpeedOptions {
  readonly backends: readonly BackendName[];
  readonly encoder: EncoderFactory;
  /** Shape of one input; plain [height, width, channels] dims are an image shape. */
  readonly input: SampleShape | readonly [number, number, number];
  /** Pairs per training step (2 images each). */
  readonly batchSize: number;
  /** Pairs per training step on the slow cpu backend. */
  readonly cpuBatchSize: number;
  /** Timed training steps (after one warm-up step) per round. */
  readonly steps: number;
  /** Rounds, alternating the backends; medians are reported. */
  readonly rounds: number;
  /** Images embedded per round (in batches of 256). */
  readonly embedImages: number;
  /**
   * Worker-thread counts to compare on the single-threaded wasm backend (as `train.workers`); 1 = in-process. Above 1,
   * training goes through the data-parallel pool and embedding through an inference pool (`embedParallel`).
   */
  readonly workers?: readonly number[];
  readonly onProgress?: (line: string) => void;
}

export interface BackendSpeed {
  readonly backend: BackendName;
  readonly available: boolean;
  readonly error?: string;
  /** Median training images per second (both images of every pair count). */
  readonly trainImagesPerSecond?: number;
  readonly embedImagesPerSecond?: number;
  /** Effective GFLOP/s of training (forward + backward = 3 x forward FLOPs). */
  readonly trainGflops?: number;
  readonly embedGflops?: number;
  readonly batchSize?: number;
  readonly rounds?: number;
  /** Worker threads used for this backend's train and embed figures. */
  readonly workers?: number;
}

export interface SpeedReport {
  readonly encoder: string;
  readonly input: readonly number[];
  readonly forwardMflopsPerImage: number;
  readonly backends: readonly BackendSpeed[];
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Train and embed speed of an encoder on several backends, side by side in one process: rounds
 * alternate the backends so that machine noise hits them alike, and medians are reported.
 */
export async function measureSpeed(o: SpeedOptions): Promise<SpeedReport> {
  const rng = new Rng(1);
  const shape = 'dims' in o.input ? o.input : sampleShape(o.input, ['height', 'width', 'channels']);
  const size = shapeSize(shape);
  const n = 512;
  const data = new Float32Array(n * size);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.2 ? 1 : 0;
  const store = new SampleStore(shape, data);
  let flops = 0;
  const train: Record<string, number[]> = {};
  const embed: Record<string, number[]> = {};
  const errors: Record<string, string> = {};
  // every (backend, workers) configuration; worker threads only where the backend is single-threaded wasm
  const configs = o.backends.flatMap((backend) =>
    (backend === 'wasm' ? (o.workers ?? [1]) : [1]).map((workers) => ({
      backend,
      workers,
      key: `${backend}/${workers}`,
    })),
  );
  for (let round = 0; round < o.rounds; round++) {
    for (const { backend, workers, key } of configs) {
      if (errors[backend]) continue;
      if (backend === 'cpu' && round > 0) continue; // one round: a cpu round takes minutes
      try {
        await initBackend(backend);
      } catch (err) {
        errors[backend] = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
        continue;
      }
      const model = PairModel.create(
        await o.encoder.build(shape, {}, 1),
        'contrastive',
        {
          kind: 'siamese',
          encoder: o.encoder.id,
          modality: 'perf',
          preprocess: {},
          inputShape: shape.dims,
          sampleShape: shape,
          margin: 1,
          plugins: [],
          backend,
        },
        1,
      );
      flops = forwardFlops(model.encoder);
      const pairs = backend === 'cpu' ? o.cpuBatchSize : o.batchSize;
      const opt = makeOptimizer({ optimizer: 'adam', learningRate: 1e-4, momentum: 0.9 });
      const vars = model.trainableVariables;
      const step = async (): Promise<void> => {
        const idx = Array.from({ length: 2 * pairs }, () => rng.int(n));
        const x = store.batch(idx);
        const y = tf.tensor1d(
          Array.from({ length: pairs }, () => rng.int(2)),
          'float32',
        );
        const cost = opt.minimize(() => model.pairLossOf(x, y, true), true, vars);
        await cost!.data();
        tf.dispose([x, y, cost!]);
      };
      const steps = backend === 'cpu' ? 1 : o.steps;
      let t0: number;
      if (workers > 1) {
        // as the trainer does: the next batch is built while the workers compute this one
        const pool = await GradientWorkerPool.create(model, {
          workers,
          optimizer: { optimizer: 'adam', learningRate: 1e-4, momentum: 0.9 },
        });
        try {
          const poolStep = () => {
            const idx = Array.from({ length: 2 * pairs }, () => rng.int(n));
            return pool.step(
              store.batchArray(idx),
              Float32Array.from({ length: pairs }, () => rng.int(2)),
            );
          };
          // warm-up: each new worker's wasm heap and XNNPACK operators settle over the first steps
          for (let s = 0; s < 3; s++) await poolStep();
          t0 = performance.now();
          const pending: Promise<number>[] = [];
          for (let s = 0; s < steps; s++) pending.push(poolStep());
          await Promise.all(pending);
        } finally {
          await pool.close();
        }
      } else {
        // warm-up: kernel setup, optimizer slots (one step on the slow cpu backend)
        for (let s = 0; s < (backend === 'cpu' ? 1 : 3); s++) await step();
        t0 = performance.now();
        for (let s = 0; s < steps; s++) await step();
      }
      const trainRate = (steps * 2 * pairs) / ((performance.now() - t0) / 1000);
      (train[key] ??= []).push(trainRate);
      const m = backend === 'cpu' ? Math.min(64, o.embedImages) : o.embedImages;
      const embedIdx = Array.from({ length: m }, (_, i) => i % n);
      let embedRate: number;
      if (workers > 1) {
        const pool = await GradientWorkerPool.forInference(model, { workers });
        try {
          await embedParallel(
            pool,
            store,
            Array.from({ length: 4 * workers }, (_, i) => i),
          ); // warm-up
          t0 = performance.now();
          await embedParallel(pool, store, embedIdx);
          embedRate = m / ((performance.now() - t0) / 1000);
        } finally {
          await pool.close();
        }
      } else {
        model.embed(store, [0, 1, 2, 3]); // warm-up
        t0 = performance.now();
        model.embed(store, embedIdx, 256);
        embedRate = m / ((performance.now() - t0) / 1000);
      }
      (embed[key] ??= []).push(embedRate);
      o.onProgress?.(
        `round ${round + 1}/${o.rounds} ${backend} x${workers}: train ${trainRate.toFixed(1)} img/s, embed ${embedRate.toFixed(0)} img/s`,
      );
      opt.dispose();
      model.dispose();
    }
  }
  const backends: BackendSpeed[] = configs.map(({ backend, workers, key }) => {
    if (errors[backend]) return { backend, available: false, error: errors[backend]!, workers };
    const tr = median(train[key]!);
    const em = median(embed[key]!);
    return {
      backend,
      available: true,
      trainImagesPerSecond: tr,
      embedImagesPerSecond: em,
      trainGflops: (tr * 3 * flops) / 1e9,
      embedGflops: (em * flops) / 1e9,
      batchSize: backend === 'cpu' ? o.cpuBatchSize : o.batchSize,
      rounds: train[key]!.length,
      workers,
    };
  });
  return { encoder: o.encoder.id, input: shape.dims, forwardMflopsPerImage: flops / 1e6, backends };
}
