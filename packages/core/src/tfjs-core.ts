/**
 * `@tensorflow/tfjs-core` alone, for the code that runs in the lean embedding workers (eval/plan-worker.ts),
 * which load neither tfjs-layers nor the other backends: `import { tf } from '../tfjs-core.js'`. Loaded
 * with `require` for the reason given in tfjs.ts (no scan of the 1.2 MB bundle for its export names).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose, see tfjs.ts
import tfjsCore = require('@tensorflow/tfjs-core');

export { tfjsCore as tf };
