import { tf } from '../tfjs.js';
import { BackendError } from '../errors.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendChoice, 'auto'>;

export interface BackendInfo {
  /** The backend in use. */
  readonly name: BackendName;
  /** What was tried before it, and why each failed (for reports and `fewshot perf`). */
  readonly tried: readonly { name: BackendName; error: string }[];
}

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Import and register one backend; throws when it is not installed or cannot start. */
export async function initBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Optional dependency: its install downloads libtensorflow, which fails offline.
    const spec = '@tensorflow/tfjs-node';
    await import(spec);
  } else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    const { registerWasmGradientKernels } = await import('./wasm-kernels.js');
    registerWasmGradientKernels();
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
  // the cpu backend greets Node users with a console banner on first use; we report the backend ourselves
  if (name === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

/**
 * Select the compute backend. `auto` takes the first of tensorflow (native), wasm, cpu that loads.
 * An explicitly requested backend that cannot load is an error.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  const tried: { name: BackendName; error: string }[] = [];
  const candidates = choice === 'auto' ? ORDER : [choice];
  for (const name of candidates) {
    try {
      await initBackend(name);
      return { name, tried };
    } catch (err) {
      tried.push({ name, error: firstLine(err) });
    }
  }
  const t = tried.map((x) => `${x.name}: ${x.error}`);
  if (choice !== 'auto') {
    throw new BackendError(`the '${choice}' backend could not be started`, {
      hints: [
        ...t,
        choice === 'tensorflow'
          ? '@tensorflow/tfjs-node is optional and downloads libtensorflow on install; use --backend wasm'
          : 'try --backend auto',
      ],
    });
  }
  throw new BackendError('no compute backend could be started', { hints: t });
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
