import path from 'node:path';
import { ModelError } from '../errors.js';
import type { SampleStore } from '../data/sample-store.js';
import type { EpisodeScorer } from '../baseline.js';
import type { SampleShape } from '../modality.js';
import { writeAtomic } from './model-io.js';
import { MODEL_META_FILE, PairModel, readModelManifest, type PairModelMeta } from './pair-model.js';

/**
 * fewshot.json of an ensemble folder: the members are pair-model folders inside it (trained one after
 * another with seeds `seed`, `seed + 1`, ...: `model.ensemble` in the config). The ensemble scores a pair
 * with the mean of its members' scores (negated distances, or probabilities).
 */
export interface EnsembleMeta {
  readonly format: 'fewshot-ensemble';
  readonly version: 1;
  /** Member folders, relative to the ensemble folder. */
  readonly members: readonly string[];
  readonly modality: string;
  readonly preprocess: Readonly<Record<string, unknown>>;
  /** The members' input dims (see PairModelMeta.inputShape). */
  readonly inputShape: readonly number[];
  /** The members' named sample shape (absent for members saved before named sample shapes). */
  readonly sampleShape?: SampleShape;
  /** Sum of the members' embedding sizes (an ensemble embedding is the members' side by side). */
  readonly embeddingSize: number;
  readonly plugins: readonly string[];
  readonly createdAt: string;
}

/** What the commands need to know of a model folder before loading it (either format). */
export type ModelMeta = PairModelMeta | EnsembleMeta;

/** A loaded model folder: a pair model or an ensemble of them. */
export type ScoringModel = EpisodeScorer & { readonly meta: ModelMeta; dispose(): void };

/**
 * Several pair models as one scorer: an embedding row is the members' embeddings side by side; a pair's
 * score is the mean of the members' scores on their own parts of the rows.
 */
export class EnsembleModel implements EpisodeScorer {
  readonly kind: string;
  /** The members' embedding sizes, in order: their parts of an embedding row. */
  readonly memberSizes: readonly number[];

  /** `where` names the ensemble in error messages (its folder). */
  constructor(
    readonly members: readonly PairModel[],
    readonly meta: EnsembleMeta,
    where = 'ensemble',
  ) {
    if (members.length === 0) throw new ModelError(`${where}: an ensemble needs at least one member`);
    const heads = new Set(members.map((m) => m.meta.head));
    if (heads.size > 1)
      throw new ModelError(`${where}: ensemble members must share one head, got ${[...heads].join(', ')}`);
    this.memberSizes = members.map((m) => m.meta.embeddingSize);
    const total = this.memberSizes.reduce((a, b) => a + b, 0);
    if (total !== meta.embeddingSize) {
      throw new ModelError(
        `${where}: the members' embeddings add up to ${total} values, but the manifest says ${meta.embeddingSize}`,
        {
          hints: ['a member folder was replaced after the ensemble was trained; train the ensemble again'],
        },
      );
    }
    members.forEach((m, k) => {
      const same =
        m.meta.modality === meta.modality &&
        JSON.stringify(m.meta.preprocess) === JSON.stringify(meta.preprocess) &&
        m.meta.inputShape.join('x') === meta.inputShape.join('x');
      if (!same)
        throw new ModelError(
          `${where}: member '${meta.members[k] ?? k + 1}' has another modality, preprocessing or input shape than the manifest`,
        );
    });
    this.kind = `ensemble of ${members.length} ${members[0]!.kind}`;
  }

  /** The manifest of an ensemble of `members` saved in sub-folders `dirs` (relative names). */
  static metaOf(members: readonly PairModelMeta[], dirs: readonly string[]): EnsembleMeta {
    const first = members[0];
    if (!first) throw new ModelError('an ensemble needs at least one member');
    for (const m of members) {
      if (m.modality !== first.modality || JSON.stringify(m.preprocess) !== JSON.stringify(first.preprocess)) {
        throw new ModelError('ensemble members must share the modality and the preprocessing');
      }
    }
    return {
      format: 'fewshot-ensemble',
      version: 1,
      members: [...dirs],
      modality: first.modality,
      preprocess: first.preprocess,
      inputShape: first.inputShape,
      ...(first.sampleShape ? { sampleShape: first.sampleShape } : {}),
      embeddingSize: members.reduce((s, m) => s + m.embeddingSize, 0),
      plugins: [...new Set(members.flatMap((m) => m.plugins))],
      createdAt: new Date().toISOString(),
    };
  }

  embed(store: SampleStore, indices: readonly number[], batchSize?: number): Float32Array {
    return sideBySide(
      this.members.map((m) => m.embed(store, indices, batchSize)),
      this.memberSizes,
      indices.length,
    );
  }

  scorePairs(emb: Float32Array, left: Int32Array, right: Int32Array): Float32Array {
    const total = this.meta.embeddingSize;
    const n = emb.length / total;
    if (!Number.isInteger(n))
      throw new RangeError(`ensemble scorePairs: ${emb.length} values are not rows of ${total}`);
    const out = new Float32Array(left.length);
    let offset = 0;
    this.members.forEach((m, k) => {
      const d = this.memberSizes[k]!;
      const part = new Float32Array(n * d);
      for (let i = 0; i < n; i++) part.set(emb.subarray(i * total + offset, i * total + offset + d), i * d);
      const s = m.scorePairs(part, left, right);
      for (let j = 0; j < out.length; j++) out[j]! += s[j]! / this.members.length;
      offset += d;
    });
    return out;
  }

  dispose(): void {
    for (const m of this.members) m.dispose();
  }
}

/**
 * An ensemble's embedding rows from its members' (`parts[k]`: `rows` rows of `sizes[k]` values): row i
 * is the members' rows i side by side, in member order.
 */
export function sideBySide(parts: readonly Float32Array[], sizes: readonly number[], rows: number): Float32Array {
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  let offset = 0;
  parts.forEach((e, k) => {
    const d = sizes[k]!;
    for (let i = 0; i < rows; i++) out.set(e.subarray(i * d, (i + 1) * d), i * total + offset);
    offset += d;
  });
  return out;
}

/** Write an ensemble's manifest (its members are saved in their folders inside `dir` already) and `extra` files. */
export async function saveEnsembleMeta(
  dir: string,
  meta: EnsembleMeta,
  extra: Record<string, string> = {},
): Promise<void> {
  for (const [name, content] of Object.entries(extra)) await writeAtomic(path.join(dir, name), content);
  await writeAtomic(path.join(dir, MODEL_META_FILE), JSON.stringify(meta, null, 2) + '\n');
}

/** fewshot.json of a model folder, pair model or ensemble, checked. */
export async function readModelMeta(dir: string): Promise<ModelMeta> {
  const { file, raw } = await readModelManifest(dir);
  if (raw.format !== 'fewshot-ensemble') return PairModel.checkMeta(raw, file, dir);
  const meta = raw as EnsembleMeta;
  if (meta.version !== 1)
    throw new ModelError(`${file}: ensemble format version ${String(meta.version)} is not supported by this fewshot`);
  if (
    !Array.isArray(meta.members as unknown) ||
    meta.members.length === 0 ||
    !meta.members.every((m) => typeof m === 'string' && m.length > 0)
  ) {
    throw new ModelError(`${file}: 'members' must list the member folders`);
  }
  for (const m of meta.members) {
    const resolved = path.resolve(dir, m);
    if (path.relative(path.resolve(dir), resolved).startsWith('..'))
      throw new ModelError(`${file}: member '${m}' is outside the ensemble folder`);
  }
  return meta;
}

/** Load a model folder: a pair model, or an ensemble with all its members. */
export async function loadModel(dir: string): Promise<ScoringModel> {
  const meta = await readModelMeta(dir);
  if (meta.format === 'fewshot-pair-model') return PairModel.load(dir);
  const members: PairModel[] = [];
  try {
    for (const m of meta.members) {
      try {
        members.push(await PairModel.load(path.join(dir, m)));
      } catch (cause) {
        throw new ModelError(
          `ensemble ${path.join(dir, MODEL_META_FILE)}: cannot load member '${m}': ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    return new EnsembleModel(members, meta, path.join(dir, MODEL_META_FILE));
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
}
