export * from './experiment-schema.js';
export * from './load-config.js';
export { parseOverride, type ParsedOverride } from './apply-overrides.js';
export { formatProblem, type ConfigProblem } from './describe-issues.js';
export { didYouMean } from './did-you-mean.js';
