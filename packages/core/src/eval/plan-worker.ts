/**
 * Embedding worker: runs an InferencePlan (inference-plan.ts) on the wasm backend in a worker thread
 * started by PlanWorkerPool. It loads only tfjs-core and the wasm backend (no tfjs-layers, no plugins,
 * no model rebuild), so it starts in a fraction of a gradient worker's time. It loads them as soon as it
 * starts, before the plan arrives, so a worker started early (`prewarmPlanWorkers`) is ready when needed.
 * Messages: `{ type: 'init', plan, winograd }` -> `{ type: 'ready' }`;
 * `{ type: 'embed', id, x, rows }` -> `{ type: 'embeddings', id, data }`; errors -> `{ type: 'error', id?, message, stack? }`.
 */
import { parentPort } from 'node:worker_threads';
import { tf } from '../tfjs-core.js';
import { PlanRunner, type InferencePlan } from './inference-plan.js';

if (!parentPort) throw new Error('plan-worker.js must be started as a worker thread by PlanWorkerPool');
const port = parentPort;

export type ToPlanWorker =
  | { readonly type: 'init'; readonly plan: InferencePlan; readonly winograd: boolean }
  | { readonly type: 'embed'; readonly id: number; readonly x: Float32Array; readonly rows: number };

export type FromPlanWorker =
  | { readonly type: 'ready'; readonly winogradLayers: number }
  | { readonly type: 'embeddings'; readonly id: number; readonly data: Float32Array }
  | { readonly type: 'error'; readonly id?: number; readonly message: string; readonly stack?: string };

let runner: PlanRunner | undefined;

/** The wasm backend, loading from the start; a failure is reported in answer to `init`. */
const backendReady = (async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
  await tf.ready();
})();
backendReady.catch(() => undefined); // awaited by `init`; this only keeps a failure from going unhandled before

async function handle(msg: ToPlanWorker): Promise<void> {
  if (msg.type === 'init') {
    await backendReady;
    runner = new PlanRunner(msg.plan, { winograd: msg.winograd });
    port.postMessage({ type: 'ready', winogradLayers: runner.winogradLayers } satisfies FromPlanWorker);
    return;
  }
  if (!runner) throw new Error(`'${msg.type}' before the worker was initialised`);
  const data = runner.embed(msg.x, msg.rows);
  port.postMessage({ type: 'embeddings', id: msg.id, data } satisfies FromPlanWorker, [data.buffer as ArrayBuffer]);
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToPlanWorker) => {
  queue = queue
    .then(() => handle(msg))
    .catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({
        type: 'error',
        ...('id' in msg ? { id: msg.id } : {}),
        message: e.message,
        ...(e.stack ? { stack: e.stack } : {}),
      } satisfies FromPlanWorker);
    });
});
