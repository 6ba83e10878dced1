import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../backend/select-backend.js';
import type { Modality } from '../modality.js';
import { checkBackends } from './check-backends.js';
import { checkCache } from './check-cache.js';
import { checkData } from './check-data.js';
import { checkFfmpeg } from './check-ffmpeg.js';
import { checkOutput } from './check-output.js';
import { checkNode, checkPackages } from './check-runtime.js';
import { formatDoctorReport, runDoctor, setupErrorOf, SetupError } from './run-doctor.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-doctor-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = path.join(tmp, 'a-file');
writeFileSync(file, 'x');

/** A backend starter where the listed backends fail with the given messages. */
const starter =
  (fails: Partial<Record<BackendName, string>>) =>
  async (name: BackendName): Promise<void> => {
    if (fails[name]) throw new Error(fails[name]);
  };
const noTfjsNode = "Cannot find package '@tensorflow/tfjs-node' imported from /x/select-backend.js";

describe('checkNode', () => {
  it('accepts Node 20 and later, and says what to install for an older one', () => {
    expect(checkNode('20.1.0').status).toBe('ok');
    expect(checkNode('22.11.0').status).toBe('ok');
    const old = checkNode('18.19.1');
    expect(old.status).toBe('error');
    expect(old.summary).toBe('Node 18.19.1 is too old: fewshot needs Node 20 or later');
    expect(old.fixes[0]).toMatch(/install Node 20 or later/);
  });
});

describe('checkPackages', () => {
  it("names core's and tfjs's versions, and a plugin that failed to load as an error", () => {
    const ok = checkPackages([]);
    expect(ok.status).toBe('ok');
    expect(ok.facts['core']).toMatch(/^\d+\.\d+\.\d+/);
    const broken = checkPackages(
      Object.assign(new Error("plugin 'x' failed to load: boom\nmore"), { hints: ['resolved to /x.js'] }),
    );
    expect(broken.status).toBe('error');
    expect(broken.summary).toBe("a plugin could not be loaded: plugin 'x' failed to load: boom");
    expect(broken.details).toContain('resolved to /x.js');
  });
});

describe('checkBackends', () => {
  it('says auto picks the first backend that starts, and why the ones before it did not', async () => {
    const c = await checkBackends(starter({ tensorflow: noTfjsNode }));
    expect(c.status).toBe('ok');
    expect(c.summary).toBe(
      'auto picks wasm: tensorflow is not available, wasm is next (auto tries tensorflow, wasm, cpu)',
    );
    expect(c.facts['available']).toEqual(['wasm', 'cpu']);
    expect(c.details[0]).toMatch(/^tensorflow: not installed \(optional: npm install @tensorflow\/tfjs-node/);
    const native = await checkBackends(starter({}));
    expect(native.summary).toBe('auto picks tensorflow: the first that auto tries');
  });

  it('warns when only cpu starts, and is an error when nothing does', async () => {
    const slow = await checkBackends(starter({ tensorflow: noTfjsNode, wasm: 'wasm binary not found' }));
    expect(slow.status).toBe('warning');
    expect(slow.details[1]).toMatch(/^wasm: does not start: wasm binary not found/);
    expect(slow.fixes[0]).toMatch(/reinstall fewshot/);
    const none = await checkBackends(starter({ tensorflow: 'a', wasm: 'b', cpu: 'c' }));
    expect(none.status).toBe('error');
    expect(none.facts['auto']).toBeNull();
  });
});

describe('checkFfmpeg', () => {
  const modality = (id: string, info: Record<string, string>) => ({ id, info: () => info }) as unknown as Modality;

  it('reports the binary and version a modality found', () => {
    const c = checkFfmpeg([
      modality('image', {}),
      modality('video', { ffmpeg: '/usr/bin/ffmpeg (from PATH)', 'ffmpeg version': 'ffmpeg version 6.1' }),
    ]);
    expect(c.status).toBe('ok');
    expect(c.summary).toBe('/usr/bin/ffmpeg (from PATH)');
    expect(c.details).toEqual(['ffmpeg version 6.1']);
  });

  it('warns, with where it looked and what to do, when ffmpeg is missing; is fine when no modality needs it', () => {
    const c = checkFfmpeg([
      modality('video', {
        ffmpeg: 'ffmpeg not found: the video modality needs an ffmpeg binary',
        'ffmpeg search': 'searched FFMPEG_PATH: not set; searched PATH: no ffmpeg',
      }),
    ]);
    expect(c.status).toBe('warning');
    expect(c.summary).toMatch(/^not found, so the video modality cannot read files/);
    expect(c.details).toEqual(['searched FFMPEG_PATH: not set', 'searched PATH: no ffmpeg']);
    expect(c.fixes[0]).toMatch(/FFMPEG_PATH/);
    expect(checkFfmpeg([modality('image', {})]).facts['needed']).toBe(false);
  });
});

describe('checkData', () => {
  it('lists which registered data sets are in the folder', () => {
    const root = path.join(tmp, 'data');
    mkdirSync(path.join(root, 'fsdd', 'recordings'), { recursive: true });
    mkdirSync(path.join(root, 'omniglot', 'strokes'), { recursive: true });
    writeFileSync(path.join(root, 'omniglot', 'strokes', 'strokes_background_small1.zip'), ''); // one of its two archives
    const c = checkData(root, {});
    expect(c.summary).toBe(`data folder ${root} (from --data): 1 of 7 supported data sets present`);
    expect(c.details).toContain(`fsdd: present (${path.join(root, 'fsdd', 'recordings')})`);
    expect(c.details).toContain('omniglot-background: missing');
    expect(c.status).toBe('warning'); // the strokes are only partly there
    expect(c.fixes).toEqual([
      'omniglot-strokes is only partly there: fewshot data fetch omniglot-strokes (then fewshot data verify omniglot-strokes)',
    ]);
  });

  it('takes $FEWSHOT_DATA, and warns about a folder that does not exist or is a file', () => {
    const missing = checkData(undefined, { FEWSHOT_DATA: path.join(tmp, 'nowhere') });
    expect(missing.status).toBe('warning');
    expect(missing.summary).toBe(`data folder ${path.join(tmp, 'nowhere')} (from $FEWSHOT_DATA) does not exist`);
    expect(checkData(file, {}).summary).toMatch(/is a file, not a folder$/);
  });
});

describe('checkCache', () => {
  it('measures the cache, and says when it is not there yet', () => {
    const dir = path.join(tmp, 'cache');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'a.bin'), Buffer.alloc(1000));
    writeFileSync(path.join(dir, 'sub', 'b.json'), Buffer.alloc(24));
    const c = checkCache({ FEWSHOT_CACHE: dir }, tmp);
    expect(c.status).toBe('ok');
    expect(c.summary).toBe(`cache ${dir} (from $FEWSHOT_CACHE): 1.0 KB in 2 file(s)`);
    expect(c.facts['bytes']).toBe(1024);
    expect(checkCache({}, path.join(tmp, 'fresh')).summary).toBe(
      `cache ${path.join(tmp, 'fresh', '.cache', 'fewshot')} (from the default ./.cache/fewshot): empty (created on first use)`,
    );
  });

  it('warns when the cache cannot be written', () => {
    const c = checkCache({ FEWSHOT_CACHE: path.join(file, 'cache') }, tmp);
    expect(c.status).toBe('warning');
    expect(c.summary).toContain(`${file} is a file, not a folder`);
    expect(c.fixes[0]).toMatch(/FEWSHOT_CACHE/);
  });
});

describe('checkOutput', () => {
  it('accepts a writable folder or one that can be created, and refuses a file or a path under a file', () => {
    expect(checkOutput(undefined, tmp).summary).toBe(`output folder ${tmp} (the working folder) is writable`);
    expect(checkOutput(path.join(tmp, 'new', 'run'), tmp).summary).toBe(
      `output folder ${path.join(tmp, 'new', 'run')} (--out) is writable (would be created under ${tmp})`,
    );
    const isFile = checkOutput(file, tmp);
    expect(isFile.status).toBe('error');
    expect(isFile.summary).toBe(`output folder ${file} (--out) cannot be written: it is a file, not a folder`);
    expect(isFile.fixes[0]).toMatch(/give --out a folder path/);
    expect(checkOutput(path.join(file, 'run'), tmp).status).toBe('error');
  });
});

describe('runDoctor', () => {
  it('runs every check; only an error makes the report not ok, and the SetupError names it', async () => {
    const options = {
      cwd: tmp,
      env: { FEWSHOT_DATA: path.join(tmp, 'data') },
      startBackend: starter({ tensorflow: noTfjsNode }),
    };
    const good = await runDoctor(options);
    expect(good.checks.map((c) => c.id)).toEqual(['node', 'packages', 'backends', 'ffmpeg', 'data', 'cache', 'output']);
    expect(good.ok).toBe(true);
    expect(good.errors).toBe(0);
    expect(setupErrorOf(good)).toBeUndefined();
    expect(formatDoctorReport(good)).toMatch(/fewshot can run; \d warning\(s\) above\n$/);

    const bad = await runDoctor({ ...options, out: file });
    expect(bad.ok).toBe(false);
    const err = setupErrorOf(bad);
    expect(err).toBeInstanceOf(SetupError);
    expect(err!.message).toBe('1 required check(s) failed: output');
    const text = formatDoctorReport(bad);
    expect(text).toContain(
      `FAIL  output    output folder ${file} (--out) cannot be written: it is a file, not a folder`,
    );
    expect(text).toMatch(/ {14}-> .* is a file: give --out a folder path/);
  });
});
