import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainExperiment, type TrainSummary } from '@fewshot/core';
import { BIN, fewshot, type Run } from './bench-fixtures.js';
import { OMNIGLOT, REPO_ROOT, requireData, SHARED_DATA } from './shared-data.js';

// Interrupted training resumes bit for bit: real `fewshot train` processes on real Omniglot images
// (two alphabets, 20x20, a small Conv-4, Adam, affine augmentation, batch norm), SIGKILLed or
// SIGINTed midway and resumed, against an uninterrupted run with the same seed on the same backend.

// real processes on a shared 2-core machine: minutes when it is busy, seconds when idle
const SLOW = 900_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-resume-'));
const cache = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = path.join(tmp, 'small.yaml');
writeFileSync(
  config,
  `name: resume-small
seed: 3
backend: wasm
modality: image
data:
  root: ${requireData(OMNIGLOT)}
  layout: omniglot
  preprocess: { size: 20 }
  train: { path: images_background, include: [Latin, Greek] }
  validation: { path: images_background, include: [Korean] }
model: { type: siamese, encoder: conv4, encoderOptions: { filters: 8, blocks: 2 }, head: contrastive }
train:
  objective: pairs
  optimizer: adam
  batchSize: 16
  epochs: 4
  stepsPerEpoch: 8
  learningRate: 0.001
  augment: { affine: true, probability: 0.5 }
  validation: { ways: 5, episodes: 10 }
`,
);

const quiet = ['--no-eval'];
const train = (out: string, extra: readonly string[] = [], killWhen?: RegExp): Promise<Run> =>
  fewshot(['train', config, '--out', out, ...quiet, ...extra], { cache, ...(killWhen ? { killWhen } : {}) });

/** `fewshot train` sent `signal` once its stderr matches `when`. */
function trainSignalled(out: string, extra: readonly string[], when: RegExp, signal: NodeJS.Signals): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', config, '--out', out, ...quiet, ...extra], {
      cwd: REPO_ROOT,
      env: { ...process.env, FEWSHOT_DATA: SHARED_DATA, FEWSHOT_CACHE: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let outText = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (outText += String(d)));
    child.stderr.on('data', (d: Buffer) => {
      err += String(d);
      if (!sent && when.test(err)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, out: outText, err }));
  });
}

function bytes(dir: string, file: string): Buffer {
  return readFileSync(path.join(dir, file));
}

interface History {
  history: { epoch: number; loss: number; valAccuracy: number | null; learningRate: number; best: boolean }[];
  bestEpoch: number;
  stoppedBecause?: string;
}

function history(dir: string): History {
  return JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')) as History;
}

/** The weights and the metrics of two model folders are the same, bit for bit (timings aside). */
function expectSameRun(resumed: string, reference: string): void {
  for (const f of ['encoder/weights.bin', 'head/weights.bin'])
    expect(bytes(resumed, f).equals(bytes(reference, f))).toBe(true);
  const strip = (h: History) => ({
    bestEpoch: h.bestEpoch,
    stoppedBecause: h.stoppedBecause,
    history: h.history.map(({ epoch, loss, valAccuracy, learningRate, best }) => ({
      epoch,
      loss,
      valAccuracy,
      learningRate,
      best,
    })),
  });
  expect(strip(history(resumed))).toEqual(strip(history(reference)));
  expect(existsSync(path.join(resumed, 'checkpoint'))).toBe(false); // removed once the run completed
}

function checkpointState(dir: string): {
  epoch: number;
  reason: string;
  partial: { steps: number } | null;
  workers: number;
} {
  return JSON.parse(readFileSync(path.join(dir, 'checkpoint', 'state.json'), 'utf8'));
}

describe.each([
  ['in-process', '1'],
  ['2 workers', '2'],
])('fewshot train --resume (%s)', (_name, workers) => {
  const set = ['--set', `train.workers=${workers}`];
  const reference = path.join(tmp, `reference-${workers}`);

  beforeAll(async () => {
    const r = await train(reference, set);
    expect(r.code).toBe(0);
    expect(history(reference).history).toHaveLength(4);
  }, SLOW);

  it(
    'SIGKILLed after a checkpoint, resumes to the same weights and metrics; a changed config is refused',
    async () => {
      const out = path.join(tmp, `killed-${workers}`);
      const killed = await train(out, set, /epoch 2: loss/);
      expect(killed.signal).toBe('SIGKILL');
      const state = checkpointState(out);
      expect(state.reason).toBe('epoch');
      expect(state.workers).toBe(Number(workers));
      expect(state.epoch).toBeGreaterThanOrEqual(1);
      expect(state.epoch).toBeLessThan(4);

      const changed = await train(out, [...set, '--set', 'train.learningRate=0.01', '--resume']);
      expect(changed.code).toBe(1);
      expect(changed.err).toMatch(/Config error: cannot resume the training in .*checkpoint/);
      expect(changed.err).toContain('train.learningRate: 0.001 -> 0.01');

      const resumed = await train(out, [...set, '--resume']);
      expect(resumed.err).toContain(`resuming from ${path.join(out, 'checkpoint')}: ${state.epoch} of 4 epochs done`);
      expect(resumed.code).toBe(0);
      expectSameRun(out, reference);
    },
    SLOW,
  );

  it(
    'SIGINT finishes the step, writes a checkpoint, exits non-zero saying how to resume; --resume completes it',
    async () => {
      const out = path.join(tmp, `interrupted-${workers}`);
      const stopped = await trainSignalled(out, set, /epoch 1: loss/, 'SIGINT');
      expect(stopped.code).toBe(1);
      expect(stopped.err).toContain('SIGINT: finishing the current step and writing a checkpoint');
      expect(stopped.err).toMatch(
        /Training interrupted: training stopped after step \d+ of 8 of epoch \d\/4; checkpoint saved to /,
      );
      expect(stopped.err).toContain(
        `resume with: fewshot train ${config} --out ${out} --set train.workers=${workers} --resume`,
      );
      expect(checkpointState(out).reason).toBe('interrupted');

      const resumed = await train(out, [...set, '--resume']);
      expect(resumed.code).toBe(0);
      expectSameRun(out, reference);
    },
    SLOW,
  );
});

describe('trainExperiment({ resume: true }) of an ensemble', () => {
  it(
    'resumes member by member: a finished member is kept, the stopped one continues',
    async () => {
      const overrides = ['model.ensemble=2', 'train.epochs=3', 'train.stepsPerEpoch=5'];
      process.env['FEWSHOT_CACHE'] = cache;
      const reference = path.join(tmp, 'ensemble-reference');
      const ref: TrainSummary = await trainExperiment(config, { out: reference, overrides, evaluate: false });

      const out = path.join(tmp, 'ensemble');
      const controller = new AbortController();
      // stop in member 2's second epoch
      const onEpoch = (r: { epoch: number }, member: number): void => {
        if (member === 1 && r.epoch === 1) controller.abort();
      };
      await expect(
        trainExperiment(config, { out, overrides, evaluate: false, signal: controller.signal, onEpoch }),
      ).rejects.toThrow(/training stopped after step 1 of 5 of epoch 2\/3/);
      expect(existsSync(path.join(out, 'member-1', 'checkpoint'))).toBe(false);
      expect(history(path.join(out, 'member-1')).stoppedBecause).toBe('epochs');
      expect(existsSync(path.join(out, 'member-2', 'checkpoint', 'state.json'))).toBe(true);
      const member1 = bytes(path.join(out, 'member-1'), 'encoder/weights.bin');

      const logs: string[] = [];
      const resumed = await trainExperiment(config, {
        out,
        overrides,
        evaluate: false,
        resume: true,
        progress: { log: (l) => logs.push(l), start: () => ({ tick() {}, done() {} }) },
      });
      expect(logs.join('\n')).toMatch(/ensemble member member-1 .* finished training \(epochs\); kept/);
      expect(bytes(path.join(out, 'member-1'), 'encoder/weights.bin').equals(member1)).toBe(true);
      for (const m of ['member-1', 'member-2']) expectSameRun(path.join(out, m), path.join(reference, m));
      expect(resumed.bestValAccuracy).toBe(ref.bestValAccuracy);
      expect(resumed.memberValAccuracy).toEqual(ref.memberValAccuracy);
    },
    SLOW,
  );
});
