import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The README's "Use from code" example is docs/examples/use-from-code.ts, quoted verbatim and type-checked.
const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe("the README's library example", () => {
  const example = readFileSync(`${root}docs/examples/use-from-code.ts`, 'utf8');

  it('is quoted verbatim in the README', () => {
    expect(readFileSync(`${root}README.md`, 'utf8')).toContain('## Use from code\n');
    expect(readFileSync(`${root}README.md`, 'utf8')).toContain('```ts\n' + example + '```\n');
  });

  it('type-checks against @fewshot/core', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    let errors = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', `${root}docs/examples`], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      errors = String((e as { stdout?: string }).stdout || e); // tsc prints its errors on stdout
    }
    expect(errors).toBe('');
  });
});
