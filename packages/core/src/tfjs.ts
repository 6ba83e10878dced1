/**
 * TensorFlow.js (`@tensorflow/tfjs`), the one copy core uses: `import { tf } from './tfjs.js'`.
 *
 * Loaded with `require` rather than `import`: tfjs ships CommonJS bundles, and for an `import` of
 * CommonJS Node first scans the source of the bundle and of every bundle it re-exports (tfjs-core,
 * -layers, -converter, -data and the cpu and webgl backends, about 5 MB) for the names it exports. That
 * scan cost about 0.4 s of CPU at every start of the CLI, more than loading the bundles themselves.
 * `require` gives the same module object (one copy, whichever way it is loaded) without the scan.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- on purpose, see above
import tfjs = require('@tensorflow/tfjs');

export { tfjs as tf };
