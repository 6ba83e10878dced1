import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `selectBackend` in a fresh Node process whose module resolution is changed by a loader hook, so a
 * package can be made absent or broken whatever is installed here: `absent` packages fail to resolve
 * as an uninstalled package does, `broken` ones throw when imported (as tfjs-node does when its
 * native library cannot load).
 */
function selectIn(
  choice: string,
  packages: { absent?: string[]; broken?: Record<string, string> },
): Promise<{ info?: unknown; error?: { name: string; message: string; hints: string[] } }> {
  const hooks = `
    const absent = ${JSON.stringify(packages.absent ?? [])};
    const broken = ${JSON.stringify(packages.broken ?? {})};
    export async function resolve(specifier, context, next) {
      if (absent.includes(specifier)) {
        const err = new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL + "\\nDid you mean to install it?");
        err.code = 'ERR_MODULE_NOT_FOUND';
        throw err;
      }
      if (specifier in broken) return { url: 'data:text/javascript,' + encodeURIComponent('throw new Error(' + JSON.stringify(broken[specifier]) + ')'), shortCircuit: true };
      return next(specifier, context);
    }`;
  const main = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    const { selectBackend } = await import(${JSON.stringify(new URL('./select-backend.js', import.meta.url).href)});
    try {
      console.log(JSON.stringify({ info: await selectBackend(${JSON.stringify(choice)}) }));
    } catch (e) {
      console.log(JSON.stringify({ error: { name: e.constructor.name, message: e.message, hints: e.hints } }));
    }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--no-warnings', '--input-type=module', '-e', main],
      { cwd: fileURLToPath(new URL('.', import.meta.url)) },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

const NOT_INSTALLED = /^Cannot find package '@tensorflow\/tfjs-node' imported from file:\/\/\S+select-backend\.js$/;

describe('selectBackend', () => {
  it('auto: without tfjs-node falls back to wasm, and says why (first line of the error)', async () => {
    const r = await selectIn('auto', { absent: ['@tensorflow/tfjs-node'] });
    expect(r.info).toEqual({
      name: 'wasm',
      tried: [{ name: 'tensorflow', error: expect.stringMatching(NOT_INSTALLED) }],
    });
  });

  it('auto: a tfjs-node that is installed but cannot start also falls back to wasm, with its error', async () => {
    const r = await selectIn('auto', {
      broken: { '@tensorflow/tfjs-node': 'libtensorflow.so.2: cannot open shared object file' },
    });
    expect(r.info).toEqual({
      name: 'wasm',
      tried: [{ name: 'tensorflow', error: 'libtensorflow.so.2: cannot open shared object file' }],
    });
  });

  it('auto: without tfjs-node and wasm falls back to cpu, listing both', async () => {
    const r = await selectIn('auto', {
      absent: ['@tensorflow/tfjs-node'],
      broken: { '@tensorflow/tfjs-backend-wasm': 'wasm binary missing' },
    });
    expect(r.info).toEqual({
      name: 'cpu',
      tried: [
        { name: 'tensorflow', error: expect.stringMatching(NOT_INSTALLED) },
        { name: 'wasm', error: 'wasm binary missing' },
      ],
    });
  });

  it('an explicit backend that cannot start is an error with the reason and what to use instead', async () => {
    const r = await selectIn('tensorflow', { absent: ['@tensorflow/tfjs-node'] });
    expect(r.info).toBeUndefined();
    expect(r.error).toEqual({
      name: 'BackendError',
      message: "the 'tensorflow' backend could not be started",
      hints: [
        expect.stringMatching(/^tensorflow: Cannot find package '@tensorflow\/tfjs-node'/),
        '@tensorflow/tfjs-node is optional and downloads libtensorflow on install; use --backend wasm',
      ],
    });
  });
});
