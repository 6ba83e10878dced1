export * from './sample-files.js';
export * from './file-name-attrs.js';
export * from './select-samples.js';
export * from './class-folder-loader.js';
export * from './grouped-loader.js';
