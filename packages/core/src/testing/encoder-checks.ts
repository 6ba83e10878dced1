import { tf } from '../tfjs.js';
import { initBackend } from '../backend/select-backend.js';
import type { EncoderFactory, SampleShape } from '../plugin.js';
import { formatShape } from './check-sample.js';
import type { ConformanceCheck } from './conformance-options.js';
import { messageOf, needs, type ConformanceSubject } from './conformance-subject.js';

const SEED = 7;

/**
 * Encoders build for the modality's sample shape, map a [2, ...dims] batch of decoded samples to
 * [2, d] finite values, and leak no tensors. One check per id in `options.encoders`; without it, one
 * check for the modality's default encoder and every encoder listing the modality.
 */
export function encoderChecks(subject: ConformanceSubject): ConformanceCheck[] {
  const ids = subject.options.encoders;
  if (ids !== undefined) {
    return ids.map((id) => ({
      name: `encoder '${id}' builds for sampleShape, maps [2, ...dims] to [2, d] finite values, leaks no tensors`,
      run: async () => checkEncoder(subject, id),
    }));
  }
  return [
    {
      name: 'every encoder of the modality (defaultEncoder, those listing it) builds for sampleShape, maps [2, ...dims] to [2, d] finite values, leaks no tensors',
      async run() {
        const { modality, registry } = await needs('loading the plugin', () => subject.loaded());
        const listed = registry.encoders.filter((e) => e.modalities.includes(modality.id)).map((e) => e.id);
        for (const id of new Set([modality.defaultEncoder, ...listed])) await checkEncoder(subject, id);
      },
    },
  ];
}

async function checkEncoder(subject: ConformanceSubject, id: string): Promise<void> {
  const { modality, registry } = await needs('loading the plugin', () => subject.loaded());
  const { shape } = await needs('sampleShape', () => subject.prepared());
  const decoded = await needs('decode', () => subject.decoded());
  let factory: EncoderFactory;
  try {
    factory = registry.encoder(id);
  } catch (err) {
    const role =
      id === modality.defaultEncoder ? `the defaultEncoder of the '${modality.id}' modality` : 'an encoder to check';
    throw new Error(`encoder '${id}' (${role}) is not provided by any loaded plugin: ${messageOf(err)}`, {
      cause: err,
    });
  }
  await ensureBackend();
  const batch = new Float32Array(2 * decoded[0]!.length);
  batch.set(decoded[0]!);
  batch.set(decoded[1] ?? decoded[0]!, decoded[0]!.length);
  const before = tf.memory().numTensors;
  let model: tf.LayersModel | undefined;
  try {
    try {
      model = await factory.build(shape, subject.options.encoderOptions?.[id] ?? {}, SEED, {
        registry,
        baseDir: subject.baseDir,
      });
    } catch (err) {
      throw new Error(`encoder '${id}' failed to build for ${formatShape(shape)}: ${messageOf(err)}`, { cause: err });
    }
    const input = model.inputs[0]?.shape;
    const expected = [null, ...shape.dims];
    if (model.inputs.length !== 1 || JSON.stringify(input) !== JSON.stringify(expected)) {
      throw new Error(
        `encoder '${id}' built for ${formatShape(shape)} takes ${model.inputs.map((i) => JSON.stringify(i.shape)).join(' and ')}, expected one input ${JSON.stringify(expected)}`,
      );
    }
    let out: { shape: number[]; values: Float32Array };
    try {
      out = runOnce(model, batch, shape);
    } catch (err) {
      throw new Error(`encoder '${id}' failed on a [2, ${shape.dims.join(', ')}] batch: ${messageOf(err)}`, {
        cause: err,
      });
    }
    if (out.shape.length !== 2 || out.shape[0] !== 2 || !(out.shape[1]! > 0)) {
      throw new Error(
        `encoder '${id}' maps a [2, ${shape.dims.join(', ')}] batch to [${out.shape.join(', ')}], expected [2, d]`,
      );
    }
    const bad = out.values.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0)
      throw new Error(
        `encoder '${id}' gave ${out.values[bad]} at index ${bad} of its [${out.shape.join(', ')}] output, expected finite values`,
      );
  } finally {
    model?.dispose();
  }
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new Error(
      `encoder '${id}': ${after - before} tensor(s) left after building, predicting and model.dispose() (${before} before, ${after} after), expected none (use tf.tidy, dispose what outlives it)`,
    );
  }
}

/** Predict one batch; the input and output tensors are disposed before this returns. */
function runOnce(
  model: tf.LayersModel,
  batch: Float32Array,
  shape: SampleShape,
): { shape: number[]; values: Float32Array } {
  const x = tf.tensor(batch, [2, ...shape.dims]);
  try {
    const y = model.predict(x);
    if (Array.isArray(y)) {
      tf.dispose(y);
      throw new Error(`the model has ${y.length} outputs, expected one [2, d] output`);
    }
    try {
      return { shape: y.shape, values: Float32Array.from(y.dataSync()) };
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}

/** Keep the backend in use; start tfjs's cpu backend when none has been chosen yet (as core's tests do). */
async function ensureBackend(): Promise<void> {
  if (!tf.engine().backendName) await initBackend('cpu');
}
