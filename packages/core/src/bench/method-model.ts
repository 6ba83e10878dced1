import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { trainExperiment } from '../api/train-experiment.js';
import { writeAtomic } from '../model/model-io.js';
import type { ProgressSink } from '../progress.js';
import type { PlannedMethod } from './plan-methods.js';
import type { BenchEpoch } from './results-schema.js';

/** What DIR/models/<key>/bench-training.json records about a model trained for an experiment method. */
export interface MethodTraining {
  readonly modelKey: string;
  /** Relative to DIR. */
  readonly model: string;
  readonly trainSeconds: number;
  readonly bestEpoch: number | null;
  readonly bestValAccuracy: number | null;
  readonly stoppedBecause: string;
  readonly history: readonly BenchEpoch[];
}

const RECORD = 'bench-training.json';

/** The training record of a model trained already into `out`, or undefined. */
export function trainedModel(out: string, modelKey: string): MethodTraining | undefined {
  const file = path.join(out, 'models', modelKey, RECORD);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as MethodTraining) : undefined;
}

/**
 * The model of an experiment method, trained once per key into DIR/models/<key>: reused when its
 * record exists; otherwise trained into a temporary folder that is renamed into place with the
 * record written last, so a killed run leaves no model that counts as trained.
 */
export async function ensureModel(out: string, method: PlannedMethod, progress: ProgressSink): Promise<MethodTraining> {
  const modelKey = method.modelKey!;
  const done = trainedModel(out, modelKey);
  if (done) return done;
  const final = path.join(out, 'models', modelKey);
  const tmp = `${final}.partial-${process.pid}`;
  await removeAbandoned(path.dirname(final), modelKey);
  progress.log(`training ${method.id} (${method.label}) into models/${modelKey}`);
  const summary = await trainExperiment(method.experiment!, { out: tmp, evaluate: false, progress });
  const historyFile = path.join(tmp, 'history.json');
  const history = existsSync(historyFile)
    ? ((JSON.parse(readFileSync(historyFile, 'utf8')) as { history: BenchEpoch[] }).history ?? []).map((h) => ({
        epoch: h.epoch,
        loss: h.loss,
        learningRate: h.learningRate,
        valAccuracy: h.valAccuracy,
        valCi95: h.valCi95,
        seconds: h.seconds,
        best: h.best,
      }))
    : [];
  const record: MethodTraining = {
    modelKey,
    model: `models/${modelKey}`,
    trainSeconds: summary.trainSeconds,
    bestEpoch: summary.bestEpoch,
    bestValAccuracy: summary.bestValAccuracy,
    stoppedBecause: summary.stoppedBecause,
    history,
  };
  await rm(final, { recursive: true, force: true }); // a folder without its record is an unfinished copy
  await rename(tmp, final);
  await writeAtomic(path.join(final, RECORD), JSON.stringify(record, null, 2) + '\n');
  return record;
}

/** Remove the partial folders of `key` left by runs that are no longer alive (killed while training). */
async function removeAbandoned(models: string, key: string): Promise<void> {
  if (!existsSync(models)) return;
  for (const name of readdirSync(models)) {
    const m = new RegExp(`^${key}\\.partial-(\\d+)$`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && alive(pid)) continue; // another process of a shared DIR is training it
    await rm(path.join(models, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
