/** The library API: what the `fewshot` commands do, as functions returning plain results. */
export * from './resolve-experiment.js';
export * from './member-runs.js';
export * from './baseline-scorer-for.js';
export * from './train-experiment.js';
export * from './evaluate.js';
export * from './classify.js';
export * from './list-plugins.js';
