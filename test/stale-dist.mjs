// Compiled files in dist/ whose TypeScript source is gone. `tsc -b` never deletes an output whose
// source was deleted or renamed, so a removed test would go on running from dist/ (and a removed
// module would go on resolving). `node test/stale-dist.mjs --delete` removes them (run by `npm test`
// and `npm run test:unit` before building); Jest's global setup (test/jest-global-setup.mjs) refuses
// to run while a stale compiled test is left.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each TypeScript project of the build: its outDir and its rootDir. */
function projects(root) {
  const packages = path.join(root, 'packages');
  const list = existsSync(packages)
    ? readdirSync(packages, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => ({ out: path.join(packages, d.name, 'dist'), src: path.join(packages, d.name, 'src') }))
    : [];
  list.push({ out: path.join(root, 'test', 'dist'), src: path.join(root, 'test') });
  return list.filter((p) => existsSync(p.out));
}

/** The sources an output can come from (`a.js`, `a.d.ts`, `a.js.map`, `a.d.ts.map` <- `a.ts`), or undefined when it is not a compiler output. */
function sourcesOf(rel) {
  const m = /^(.*)\.(js|mjs|cjs|d\.ts|d\.mts|d\.cts)(\.map)?$/.exec(rel);
  if (!m) return undefined;
  const kind = m[2].replace('d.', '');
  if (kind === 'mjs' || kind === 'mts') return [`${m[1]}.mts`];
  if (kind === 'cjs' || kind === 'cts') return [`${m[1]}.cts`];
  return [`${m[1]}.ts`, `${m[1]}.tsx`];
}

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Every compiled file under a dist/ folder of the repository whose source file does not exist. */
export function staleOutputs(root = REPO_ROOT) {
  const stale = [];
  for (const { out, src } of projects(root)) {
    for (const file of walk(out)) {
      const sources = sourcesOf(path.relative(out, file));
      if (sources && !sources.some((s) => existsSync(path.join(src, s)))) stale.push(file);
    }
  }
  return stale.sort();
}

/** The stale outputs that Jest would run as tests (testMatch of jest.config.js). */
export function staleTests(root = REPO_ROOT) {
  return staleOutputs(root).filter((f) => /\.(spec|test)\.js$/.test(f));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stale = staleOutputs();
  if (process.argv.includes('--delete')) {
    for (const f of stale) rmSync(f);
    if (stale.length > 0)
      console.log(
        `removed ${stale.length} compiled file(s) without a source:\n  ${stale.map((f) => path.relative(REPO_ROOT, f)).join('\n  ')}`,
      );
  } else {
    for (const f of stale) console.log(path.relative(REPO_ROOT, f));
    process.exitCode = stale.length > 0 ? 1 : 0;
  }
}
