import { tf } from '../tfjs.js';
import { initBackend, type BackendName } from '../backend/select-backend.js';
import { check, firstLine, type DoctorCheck } from './doctor-check.js';

/** The order `backend: auto` tries the backends in (see selectBackend). */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const WHY: Readonly<Record<BackendName, string>> = {
  tensorflow: 'native TensorFlow (@tensorflow/tfjs-node, optional), the fastest',
  wasm: 'WebAssembly (@tensorflow/tfjs-backend-wasm, installed with fewshot)',
  cpu: 'plain JavaScript, the slowest',
};

/** Why a backend did not start, in a user's words where the reason is a known one. */
function notAvailable(name: BackendName, error: string): string {
  if (name === 'tensorflow' && /Cannot find (package|module) '@tensorflow\/tfjs-node'/.test(error)) {
    return 'not installed (optional: npm install @tensorflow/tfjs-node, which downloads libtensorflow)';
  }
  return `does not start: ${error}`;
}

/**
 * Start every backend once and say which are available and which `auto` picks (the first of
 * tensorflow, wasm, cpu that starts) and why. `start` is replaceable for tests. Leaves `auto`'s pick
 * as tfjs's backend. An error only when no backend starts.
 */
export async function checkBackends(start: (name: BackendName) => Promise<void> = initBackend): Promise<DoctorCheck> {
  const results: { name: BackendName; ok: boolean; error?: string }[] = [];
  for (const name of AUTO_ORDER) {
    try {
      await start(name);
      results.push({ name, ok: true });
    } catch (err) {
      results.push({ name, ok: false, error: firstLine(err) });
    }
  }
  const available = results.filter((r) => r.ok).map((r) => r.name);
  const details = results.map(
    (r) => `${r.name}: ${r.ok ? 'available' : notAvailable(r.name, r.error ?? '')} - ${WHY[r.name]}`,
  );
  const facts = { available, auto: available[0] ?? null, tried: results };
  const pick = available[0];
  if (!pick) {
    return check('backends', 'error', 'no compute backend starts', {
      details,
      fixes: ['reinstall fewshot (npm install): @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm come with it'],
      facts,
    });
  }
  if (start === initBackend && tf.getBackend() !== pick) await tf.setBackend(pick);
  const skipped = results
    .slice(
      0,
      results.findIndex((r) => r.name === pick),
    )
    .map((r) => `${r.name} is not available`);
  const why =
    skipped.length > 0
      ? `${skipped.join(' and ')}, ${pick} is next (auto tries tensorflow, wasm, cpu)`
      : 'the first that auto tries';
  const fixes =
    pick === 'cpu'
      ? [
          'training on cpu is slow: reinstall fewshot so that @tensorflow/tfjs-backend-wasm loads, or use --backend wasm to see its error',
        ]
      : [];
  return check('backends', pick === 'cpu' ? 'warning' : 'ok', `auto picks ${pick}: ${why}`, { details, fixes, facts });
}
