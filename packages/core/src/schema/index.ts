export * from './json-schema.js';
export * from './experiment-json-schema.js';
export * from './configuration-reference.js';
export * from './experiment-reference.js';
export * from './bench-json-schema.js';
