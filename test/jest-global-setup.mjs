// Jest global setup: refuse to run while dist/ holds a compiled test whose source is gone (it would
// run and pass or fail for code that no longer exists). `npm test` removes such files first.
import path from 'node:path';
import { REPO_ROOT, staleTests } from './stale-dist.mjs';

export default function checkNoStaleTests() {
  const stale = staleTests();
  if (stale.length === 0) return;
  const list = stale.map((f) => `  ${path.relative(REPO_ROOT, f)}`).join('\n');
  throw new Error(
    `compiled tests without a source in dist/ (a deleted or renamed test would run):\n${list}\nremove them with: node test/stale-dist.mjs --delete (npm test does this before building)`,
  );
}
