// Worker threads that crash: a gradient worker that exits, throws outside a request or runs out of
// memory ends the training run (or the parallel embedding) with a clear GradientWorkerError; the pool
// stops its other threads and leaves no tensor behind, and `fewshot train` exits non-zero with the
// message instead of hanging. The crashes come from test/fixtures/crash-plugin (a plugin module,
// imported by every worker thread, that breaks the thread at its Nth step).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  embedParallel,
  GradientWorkerError,
  GradientWorkerPool,
  PairModel,
  SampleStore,
  sampleShape,
  type OptimizerSettings,
} from '@fewshot/core';
import { REPO_ROOT } from './shared-data.js';
import { TOY_PLUGIN, writeToyData } from './toy-data.js';

const CRASH_PLUGIN = path.join(REPO_ROOT, 'test/fixtures/crash-plugin/crash-plugin.mjs');
const BIN = path.join(REPO_ROOT, 'packages/core/dist/cli/bin.js');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-worker-crash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const optimizer: OptimizerSettings = { optimizer: 'adam', learningRate: 0.01, momentum: 0 };
const meta = {
  kind: 'siamese' as const,
  encoder: 'tiny',
  modality: 'test',
  preprocess: {},
  inputShape: [4, 4, 1] as const,
  margin: 1,
  plugins: [],
  backend: 'cpu',
};

function tinyModel(): PairModel {
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1], name: 'f' }),
      tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'd' }),
    ],
  });
  return PairModel.create(encoder, 'contrastive', meta, 1);
}

/** n deterministic pairs of 4x4 inputs. */
function batch(n: number): { x: Float32Array; y: Float32Array } {
  return {
    x: Float32Array.from({ length: 2 * n * 16 }, (_, i) => Math.sin(i)),
    y: Float32Array.from({ length: n }, (_, i) => i % 2),
  };
}

const threadIds = (pool: GradientWorkerPool): number[] =>
  (pool as unknown as { handles: { worker: { threadId: number } }[] }).handles.map((h) => h.worker.threadId);

/** Wait (bounded) until every thread of the pool has stopped. */
async function allStopped(pool: GradientWorkerPool): Promise<number[]> {
  for (let waited = 0; waited < 10_000 && threadIds(pool).some((t) => t !== -1); waited += 25)
    await new Promise((r) => setTimeout(r, 25));
  return threadIds(pool);
}

/** The crash plugin as a module URL for the pool, its settings in the query. */
const crashModule = (mode: string, worker: number, at: number): string =>
  `${pathToFileURL(CRASH_PLUGIN).href}?mode=${mode}&worker=${worker}&at=${at}`;

describe('GradientWorkerPool when a worker thread crashes', () => {
  const cases = [
    {
      mode: 'exit',
      update: 'replicas',
      message: /^gradient worker 1 exited unexpectedly \(exit code 7\)$/,
      hint: /train\.workers: 1/,
    },
    {
      mode: 'throw',
      update: 'master',
      message: /^gradient worker 1 crashed: crash-plugin: thread \d+ broke on purpose$/,
      hint: /train\.workers: 1/,
    },
    {
      mode: 'throw',
      update: 'replicas',
      message: /^gradient worker 1 crashed: crash-plugin: thread \d+ broke on purpose$/,
      hint: /train\.workers: 1/,
    },
    {
      mode: 'oom',
      update: 'replicas',
      message: /^gradient worker 1 ran out of memory \(.*memory limit.*\)$/,
      hint: /lower train\.workers or train\.batchSize/,
    },
  ];
  // each crash with one update mode (a worker start costs seconds: not every combination)
  for (const c of cases) {
    const update = c.update as 'replicas' | 'master';
    it(`${c.mode}: the step fails with a clear error, every thread stops, no tensor is left (${update} update)`, async () => {
      const model = tinyModel();
      const before = tf.memory().numTensors;
      // a real out-of-memory: the worker's heap is capped, and the plugin allocates until it is full
      const resourceLimits =
        c.mode === 'oom' ? { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 } : undefined;
      const modules = [crashModule(c.mode, 1, 2)];
      const pool = await GradientWorkerPool.create(model, {
        workers: 2,
        backend: 'cpu',
        optimizer,
        update,
        modules,
        ...(resourceLimits ? { resourceLimits } : {}),
      });
      try {
        const b = batch(4);
        expect(await pool.step(b.x, b.y)).toBeGreaterThan(0); // the first step is fine
        const err = await pool.step(b.x, b.y).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(GradientWorkerError);
        expect((err as GradientWorkerError).message).toMatch(c.message);
        expect((err as GradientWorkerError).title).toBe('Parallel training error');
        expect((err as GradientWorkerError).hints.join('\n')).toMatch(c.hint);
        // every later request fails the same way, at once
        await expect(pool.step(b.x, b.y)).rejects.toBe(err);
        await expect(pool.syncInto(model)).rejects.toBe(err);
        expect(await allStopped(pool)).toEqual([-1, -1]);
      } finally {
        await pool.close();
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }

  it('a crash during a parallel embedding rejects embedParallel at once, and the pool stops', async () => {
    const model = tinyModel();
    const before = tf.memory().numTensors;
    const store = new SampleStore(
      sampleShape([4, 4, 1], ['height', 'width', 'channels']),
      Float32Array.from({ length: 400 * 16 }, (_, i) => Math.cos(i)),
    );
    const pool = await GradientWorkerPool.forInference(model, {
      workers: 2,
      backend: 'cpu',
      modules: [crashModule('exit', 0, 3)],
    });
    try {
      const rows = Array.from({ length: 400 }, (_, i) => i);
      // chunks of 50 rows: worker 0 dies at its third embedding request, with more chunks in flight
      await expect(embedParallel(pool, store, rows, 50)).rejects.toThrow(
        /^gradient worker 0 exited unexpectedly \(exit code 7\)$/,
      );
      expect(await allStopped(pool)).toEqual([-1, -1]);
    } finally {
      await pool.close();
    }
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('fewshot train with 2 worker threads when a worker crashes', () => {
  const data = path.join(tmp, 'data');
  writeToyData(path.join(data, 'train'), 6, 5, 1, 'tr');
  const file = path.join(tmp, 'crash.yaml');
  writeFileSync(
    file,
    `name: crash
seed: 3
backend: cpu
plugins: ['${TOY_PLUGIN}', '${CRASH_PLUGIN}']
modality: toy
data:
  root: ${data}
  train: { path: train }
model:
  head: contrastive
train:
  epochs: 2
  stepsPerEpoch: 6
  batchSize: 8
  workers: 2
`,
  );

  /** Run the real CLI in a child process; resolves with its exit code and output, or `timedOut` after 60 s. */
  function train(
    env: Record<string, string>,
    nodeOptions = '',
  ): Promise<{ code: number | null; timedOut: boolean; err: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          ...(nodeOptions ? [nodeOptions] : []),
          BIN,
          'train',
          file,
          '--out',
          path.join(tmp, `out-${env['FEWSHOT_TEST_CRASH']}`),
          '--no-eval',
        ],
        {
          env: { ...process.env, FEWSHOT_CACHE: path.join(tmp, 'cache'), ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += String(d)));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut, err });
      });
    });
  }

  const cases = [
    { mode: 'exit', message: 'gradient worker 1 exited unexpectedly (exit code 7)', node: '' },
    { mode: 'throw', message: 'gradient worker 1 crashed: crash-plugin: thread', node: '' },
    // V8's heap limit applies to every thread: a worker hits it long before the main thread does
    { mode: 'oom', message: 'gradient worker 1 ran out of memory', node: '--max-old-space-size=160' },
  ];
  for (const c of cases) {
    it(`${c.mode}: exits non-zero with the worker's error and what to do, without a stack trace or a hang`, async () => {
      const r = await train(
        { FEWSHOT_TEST_CRASH: c.mode, FEWSHOT_TEST_CRASH_WORKER: '1', FEWSHOT_TEST_CRASH_AT: '4' },
        c.node,
      );
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Parallel training error: ${c.message}`);
      expect(r.err).toMatch(c.mode === 'oom' ? /lower train\.workers or train\.batchSize/ : /train\.workers: 1/);
      expect(r.err).not.toMatch(/^\s+at /m);
    });
  }
});
