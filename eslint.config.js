// ESLint for the whole workspace: @eslint/js and typescript-eslint's recommended rules, with the
// type-aware ones for TypeScript. Type information comes from one program over all the TypeScript
// (tsconfig.eslint.json): one type check instead of one per package and one more for test/, which
// more than halves the time on a 2-core machine. Formatting is Prettier's (`npm run format`), so
// eslint-config-prettier comes last and turns off every rule that would disagree with it.
//
// The packages import each other through their built `dist/*.d.ts`: run `tsc -b` first (`npm run
// lint` does).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', 'results/', 'models/', 'runs/', 'data/', 'coverage/', '**/.cache/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Off: the code marks an index access it knows to be in range with `!` (`xs[i]!`, the idiom of
      // noUncheckedIndexedAccess) so that it reads the same if that option is turned on; this rule
      // calls every such `!` unnecessary (500+ of them) and would strip them.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Off: functions that implement a Promise-returning contract (Modality.load/decode, queued
      // jobs, readImage) are `async` without an `await` on purpose, so that a throw becomes a
      // rejection as callers expect; dropping `async` as this rule asks would change that.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a name that is unused on purpose: a destructured key left out of
      // the rest (`const { $schema: _drop, ...rest } = s`), an argument an override must accept.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // `catch (err) { return Promise.reject(err) }` passes on what was thrown, like `throw err`.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Tests read the CLI's --json output and other files with JSON.parse (type `any`) and assert on
    // its shape, and break parsed YAML on purpose at any depth (`Record<string, any>`): the
    // assertions are the check, and a type per parse would only restate them. These rules stay on
    // for the packages' code.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (scripts, bins, test fixtures, config files) is in no tsconfig: no
    // type-aware rules there.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
