import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginError } from '@fewshot/core/plugin';
import { FFMPEG_SOURCES, ffmpegVersion, findFfmpeg } from './ffmpeg-binary.js';

let dir: string;
let exe: string;
let plain: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-ffmpeg-'));
  exe = join(dir, 'ffmpeg');
  await writeFile(exe, '#!/bin/sh\necho "ffmpeg version test-stub"\n');
  await chmod(exe, 0o755);
  plain = join(dir, 'not-executable');
  await writeFile(plain, 'x');
  await chmod(plain, 0o644);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const none = {
  'ffmpeg-static': () => {
    throw new Error("Cannot find module 'ffmpeg-static'");
  },
  '@ffmpeg-installer/ffmpeg': () => {
    throw new Error('Unsupported platform');
  },
};

describe('findFfmpeg', () => {
  it('takes FFMPEG_PATH first', () => {
    expect(
      findFfmpeg({
        env: { FFMPEG_PATH: exe, PATH: dir },
        packages: { '@ffmpeg-installer/ffmpeg': () => '/elsewhere' },
      }),
    ).toEqual({ path: exe, source: 'FFMPEG_PATH' });
  });

  it('rejects an FFMPEG_PATH that is missing or not executable, naming it, instead of passing it over', () => {
    const missing = join(dir, 'nope', 'ffmpeg');
    expect(() => findFfmpeg({ env: { FFMPEG_PATH: missing } })).toThrow(PluginError);
    expect(() => findFfmpeg({ env: { FFMPEG_PATH: missing } })).toThrow(
      `FFMPEG_PATH is set to ${missing}, which does not exist`,
    );
    expect(() => findFfmpeg({ env: { FFMPEG_PATH: plain } })).toThrow('which is not executable');
    expect(() => findFfmpeg({ env: { FFMPEG_PATH: dir } })).toThrow('which is not a file');
  });

  it('then ffmpeg-static, then @ffmpeg-installer/ffmpeg, passing over a package whose binary is missing', () => {
    expect(findFfmpeg({ env: {}, packages: { 'ffmpeg-static': () => exe } })).toEqual({
      path: exe,
      source: 'ffmpeg-static',
    });
    const r = findFfmpeg({
      env: {},
      packages: { 'ffmpeg-static': () => join(dir, 'never-downloaded'), '@ffmpeg-installer/ffmpeg': () => exe },
    });
    expect(r).toEqual({ path: exe, source: '@ffmpeg-installer/ffmpeg' });
  });

  it('then ffmpeg on PATH', () => {
    expect(findFfmpeg({ env: { PATH: ['/does/not/exist', dir].join(':') }, packages: none })).toEqual({
      path: exe,
      source: 'PATH',
    });
  });

  it('fails with every place searched when none works', () => {
    let err: PluginError | undefined;
    try {
      findFfmpeg({ env: { PATH: '/does/not/exist' }, packages: { ...none, 'ffmpeg-static': () => null } });
    } catch (e) {
      err = e as PluginError;
    }
    expect(err).toBeInstanceOf(PluginError);
    expect(err!.message).toMatch(/^ffmpeg not found/);
    const hints = err!.hints.join('\n');
    expect(hints).toContain('FFMPEG_PATH: not set');
    expect(hints).toContain('ffmpeg-static: installed, but names no binary');
    expect(hints).toContain('@ffmpeg-installer/ffmpeg: not installed (Unsupported platform)');
    expect(hints).toContain('PATH: no executable ffmpeg in /does/not/exist');
  });

  it('finds a working ffmpeg here, and reads its version', () => {
    const b = findFfmpeg();
    expect(FFMPEG_SOURCES).toContain(b.source);
    expect(ffmpegVersion(b.path)).toMatch(/^ffmpeg version /);
    expect(ffmpegVersion(exe)).toBe('ffmpeg version test-stub');
    expect(ffmpegVersion(join(dir, 'missing'))).toMatch(/^cannot run it/);
  });
});
