/**
 * Versions of the development tools a generated plugin installs: those this workspace uses (checked
 * against the workspace's package-lock.json by scaffold-plugin.spec.ts), pinned so that an install
 * from a warm npm cache needs no network.
 */
export const DEV_TOOL_VERSIONS = {
  typescript: '5.9.3',
  jest: '30.5.2',
  '@types/jest': '30.0.0',
  '@types/node': '20.19.43',
} as const;

/** The package.json of a generated plugin. */
export function pluginManifest(
  name: string,
  coreSpec: string,
  modalityId: string,
  encoderId: string,
): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    description: `A fewshot plugin: the '${modalityId}' modality and the '${encoderId}' encoder`,
    keywords: ['fewshot', 'fewshot-plugin'],
    type: 'module',
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    exports: { '.': './dist/index.js', './package.json': './package.json' },
    files: ['dist/**/*.js', 'dist/**/*.d.ts', '!dist/**/*.spec.*'],
    engines: { node: '>=20' },
    scripts: {
      prepare: 'tsc -p .',
      build: 'tsc -p .',
      test: 'tsc -p . && node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js',
    },
    dependencies: { '@fewshot/core': coreSpec },
    devDependencies: { ...DEV_TOOL_VERSIONS },
    jest: {
      testEnvironment: 'node',
      transform: {},
      roots: ['<rootDir>/dist'],
      testMatch: ['**/*.spec.js'],
      testTimeout: 60000,
    },
  };
}
