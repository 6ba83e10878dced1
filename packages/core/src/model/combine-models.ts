import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../errors.js';
import { loadConfig, configToYaml } from '../config/load-config.js';
import { writeDirAtomic } from '../io/atomic-write.js';
import { readModelManifest, type PairModelMeta, PairModel, MODEL_META_FILE } from './pair-model.js';
import { EnsembleModel, readModelMeta, saveEnsembleMeta } from './ensemble-model.js';

/** Options of `combineModels`. */
export interface CombineModelsOptions {
  /** Trained model folders (pair models or ensembles), two or more; an ensemble gives all its members. */
  readonly models: readonly string[];
  /** The ensemble folder to write. */
  readonly out: string;
  /** Replace `out` when it already holds files (default false: an error). */
  readonly force?: boolean;
}

/** One member of a combined ensemble: its folder in the ensemble and where it was copied from. */
export interface CombinedMember {
  readonly name: string;
  readonly from: string;
}

/** What `combineModels` wrote. */
export interface CombineModelsResult {
  readonly out: string;
  readonly members: readonly CombinedMember[];
  readonly embeddingSize: number;
}

/** sources.json of a combined ensemble: where each member came from. */
export const COMBINED_SOURCES_FILE = 'sources.json';

/**
 * Put trained models together as one ensemble folder (`fewshot combine`): every member of every model
 * (a pair model is one member) is copied into `out` as member-1, member-2, ... in the order given, and
 * the ensemble's manifest written; a pair is then scored by the mean of all members' scores, as for an
 * ensemble trained with `model.ensemble`. The members must share the modality, the preprocessing, the
 * input shape and the head (each is checked, naming the folder that differs). `out` gets the first
 * model's config.yaml (what `classify` and `bench` read for test-time views and scoring) with
 * `model.ensemble` set to the member count, and sources.json listing where every member came from.
 * The folder is written as one unit: a failure leaves `out` as it was.
 */
export async function combineModels(options: CombineModelsOptions): Promise<CombineModelsResult> {
  if (options.models.length < 2)
    throw new ModelError(`combine: give two or more model folders (got ${options.models.length})`);
  const out = path.resolve(options.out);
  const sources: { dir: string; from: string; meta: PairModelMeta }[] = [];
  for (const model of options.models) {
    const dir = path.resolve(model);
    if (dir === out || isInside(out, dir) || isInside(dir, out))
      throw new ModelError(`combine: --out ${options.out} overlaps the model folder ${model}; write elsewhere`);
    const meta = await readModelMeta(dir);
    if (meta.format === 'fewshot-pair-model') {
      sources.push({ dir, from: model, meta });
      continue;
    }
    for (const member of meta.members.map((m) => path.join(dir, m))) {
      const { file, raw } = await readModelManifest(member);
      if (raw.format === 'fewshot-ensemble')
        throw new ModelError(`${file}: an ensemble inside an ensemble is not supported`);
      sources.push({ dir: member, from: model, meta: PairModel.checkMeta(raw, file, member) });
    }
  }
  const first = sources[0]!;
  for (const s of sources.slice(1)) {
    const where = path.join(s.dir, MODEL_META_FILE);
    const differs = (what: string, a: unknown, b: unknown): ModelError =>
      new ModelError(
        `combine: ${where} has ${what} ${JSON.stringify(b)}, but ${path.join(first.dir, MODEL_META_FILE)} has ${JSON.stringify(a)}`,
        { hints: ['the members of an ensemble must read the same inputs and be scored alike'] },
      );
    if (s.meta.modality !== first.meta.modality) throw differs('modality', first.meta.modality, s.meta.modality);
    if (JSON.stringify(s.meta.preprocess) !== JSON.stringify(first.meta.preprocess))
      throw differs('preprocessing', first.meta.preprocess, s.meta.preprocess);
    if (s.meta.inputShape.join('x') !== first.meta.inputShape.join('x'))
      throw differs('input shape', first.meta.inputShape, s.meta.inputShape);
    if (s.meta.head !== first.meta.head) throw differs('head', first.meta.head, s.meta.head);
  }
  if (!options.force && existsSync(out) && (await fs.readdir(out)).length > 0)
    throw new ModelError(`combine: ${options.out} already holds files`, {
      hints: ['give another --out, or --force to replace that folder'],
    });

  const members = sources.map((s, k) => ({ name: `member-${k + 1}`, from: path.relative(out, s.dir) || '.' }));
  const meta = EnsembleModel.metaOf(
    sources.map((s) => s.meta),
    members.map((m) => m.name),
  );
  const savedConfig = path.join(path.resolve(options.models[0]!), 'config.yaml');
  const extra: Record<string, string> = {
    [COMBINED_SOURCES_FILE]: JSON.stringify({ combinedAt: meta.createdAt, members }, null, 2) + '\n',
  };
  if (existsSync(savedConfig)) {
    const loaded = await loadConfig(savedConfig);
    extra['config.yaml'] = configToYaml({
      ...loaded,
      config: { ...loaded.config, model: { ...loaded.config.model, ensemble: sources.length } },
    });
  }
  await writeDirAtomic(out, async (tmp) => {
    for (const [k, s] of sources.entries()) {
      await fs.cp(s.dir, path.join(tmp, members[k]!.name), {
        recursive: true,
        // an ensemble folder's own files (manifest, nested members) are not part of a member
        filter: (src) => src === s.dir || !isNestedModel(s.dir, src),
      });
    }
    await saveEnsembleMeta(tmp, meta, extra);
  });
  return { out, members, embeddingSize: meta.embeddingSize };
}

/** True when `child` is `parent` or inside it. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A folder inside a member that is a model of its own (e.g. a pre-training model kept beside the members). */
function isNestedModel(memberDir: string, src: string): boolean {
  const rel = path.relative(memberDir, src);
  const top = rel.split(path.sep)[0]!;
  return top !== '' && top !== 'encoder' && top !== 'head' && existsSync(path.join(memberDir, top, MODEL_META_FILE));
}
