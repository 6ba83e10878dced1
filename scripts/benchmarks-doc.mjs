// docs/benchmarks.md holds one block per benchmark script, between `<!-- bench:NAME:start -->` and
// `<!-- bench:NAME:end -->`; a script rewrites only its own block (appended when the markers are missing).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/benchmarks.md');

/** Replace (or append) the block of benchmark `name` with `text`; returns the file written. */
export function writeBenchBlock(name, text, doc = BENCHMARKS_DOC) {
  const [start, end] = [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`];
  const block = `${start}\n${text}\n${end}`;
  const old = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n';
  const [a, b] = [old.indexOf(start), old.indexOf(end)];
  const next =
    a >= 0 && b > a ? old.slice(0, a) + block + old.slice(b + end.length) : `${old.replace(/\n*$/, '\n\n')}${block}\n`;
  writeFileSync(doc, next);
  return doc;
}
