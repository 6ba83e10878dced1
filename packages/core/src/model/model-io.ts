import { tf } from '../tfjs.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';

/**
 * Save and load tfjs LayersModels as the standard tfjs format (model.json + weights.bin) with plain
 * node:fs, so no tfjs-node is needed. Each file is written to a temporary file that is renamed into
 * place; a whole model folder is replaced as one unit with `writeDirAtomic` (io/atomic-write.ts).
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const buffers = weightData === undefined ? [] : Array.isArray(weightData) ? weightData : [weightData];
      const bytes = Buffer.concat(buffers.map((b) => Buffer.from(b)));
      const json = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeAtomic(path.join(dir, 'weights.bin'), bytes);
      await writeAtomic(path.join(dir, 'model.json'), JSON.stringify(json));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length },
      };
    }),
  );
}

export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  const jsonPath = path.join(dir, 'model.json');
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as typeof json;
  } catch (cause) {
    throw new ModelError(`cannot read ${jsonPath}: ${(cause as Error).message}`, { cause });
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = path.join(dir, p);
      try {
        parts.push(await fs.readFile(file));
      } catch (cause) {
        throw new ModelError(`missing weights file ${file}`, { cause });
      }
    }
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (cause) {
    throw new ModelError(`cannot load the model in ${dir}: ${(cause as Error).message}`, { cause });
  }
}

/** Write a file atomically (`writeFileAtomic`: a temporary file beside it, fsynced, renamed into place). */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(file, data);
}
