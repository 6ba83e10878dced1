import { Worker, type ResourceLimits } from 'node:worker_threads';
import { FewshotError } from '../../errors.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/** A gradient worker failed: it threw while handling a request, could not start, or died. */
export class GradientWorkerError extends FewshotError {
  override readonly title = 'Parallel training error';
  /** The stack of the error inside the worker, when there was one. */
  readonly workerStack: string | undefined;
  constructor(message: string, options: { cause?: unknown; hints?: string[]; workerStack?: string } = {}) {
    super(message, options);
    this.workerStack = options.workerStack;
  }
}

/** What to do when a worker thread dies. */
const CRASH_HINTS = [
  'run again with train.workers: 1 to see the error in the main thread (plugin code also runs in every worker)',
  'check the setup with `fewshot doctor`',
];
const OUT_OF_MEMORY_HINTS = [
  'every worker holds a copy of the model and its share of each batch: lower train.workers or train.batchSize',
  'or give Node more memory: NODE_OPTIONS=--max-old-space-size=8192',
];

type Reply = Extract<FromWorker, { id: number }>;
type Ready = Extract<FromWorker, { type: 'ready' }>;
interface Pending {
  readonly what: string;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/**
 * One worker thread of the pool and its outstanding requests. The thread keeps the process alive only
 * while a request is outstanding, so a pool that is never closed cannot hang the process; `onFatal`
 * is called once when the worker dies or reports an error outside a request.
 */
export class WorkerHandle {
  readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private ready: { resolve(r: Ready): void; reject(err: Error): void } | undefined;
  private closing = false;
  onFatal: (err: GradientWorkerError) => void = () => {};

  constructor(
    readonly index: number,
    url: URL,
    resourceLimits?: ResourceLimits,
  ) {
    this.worker = new Worker(url, {
      workerData: { workerIndex: index },
      ...(resourceLimits ? { resourceLimits } : {}),
    });
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.fatal(`gradient worker ${this.index} ran out of memory (${err.message})`, undefined, OUT_OF_MEMORY_HINTS);
      } else this.fatal(`gradient worker ${this.index} crashed: ${err.message}`, err.stack, CRASH_HINTS);
    });
    this.worker.on('exit', (code) => {
      if (!this.closing)
        this.fatal(`gradient worker ${this.index} exited unexpectedly (exit code ${code})`, undefined, CRASH_HINTS);
    });
  }

  /** Send `init` and wait for `ready`. */
  start(msg: Extract<ToWorker, { type: 'init' }>): Promise<Ready> {
    return new Promise((resolve, reject) => {
      this.ready = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  /** Send a message that has no reply (it is handled after everything sent before it). */
  post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  /** Send a message with an `id` and wait for the reply with the same id; `what` names it in errors. */
  request<T extends Reply>(msg: ToWorker & { id: number }, transfer: ArrayBuffer[], what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(msg.id, { what, resolve: resolve as (r: Reply) => void, reject });
      this.worker.postMessage(msg, transfer);
    });
  }

  /** Reject everything outstanding with `err`. */
  rejectAll(err: Error): void {
    this.ready?.reject(err);
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.ready) this.worker.unref();
    return p;
  }

  private receive(m: FromWorker): void {
    if (m.type === 'ready') {
      const r = this.ready;
      this.ready = undefined;
      this.worker.unref();
      r?.resolve(m);
    } else if (m.type === 'error') {
      const p = m.id === undefined ? undefined : this.settle(m.id);
      if (p)
        p.reject(
          new GradientWorkerError(
            `gradient worker ${this.index} failed ${p.what}: ${m.message}`,
            m.stack ? { workerStack: m.stack } : {},
          ),
        );
      else if (this.ready) this.fatal(`gradient worker ${this.index} could not start: ${m.message}`, m.stack);
      else this.fatal(`gradient worker ${this.index} failed: ${m.message}`, m.stack);
    } else {
      this.settle(m.id)?.resolve(m);
    }
  }

  private fatal(message: string, stack?: string, hints: string[] = []): void {
    const err = new GradientWorkerError(message, { hints, ...(stack ? { workerStack: stack } : {}) });
    this.rejectAll(err);
    this.onFatal(err);
  }
}
