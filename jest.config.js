// Tests are written in TypeScript and compiled by `tsc -b` (one ESM build for the whole repo);
// Jest runs the compiled ES modules (node --experimental-vm-modules), so no transform is needed.
export default {
  testEnvironment: 'node',
  transform: {},
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/dist/**/*.spec.js', '**/dist/**/*.test.js'],
  testPathIgnorePatterns: ['/node_modules/'],
  // fails the run if dist/ holds a compiled test whose TypeScript source was deleted or renamed
  globalSetup: '<rootDir>/test/jest-global-setup.mjs',
  testTimeout: 120000,
  maxWorkers: 2,
};
