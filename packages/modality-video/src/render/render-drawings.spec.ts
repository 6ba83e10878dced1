import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { storeZip } from '../test-support.js';
import { VideoModality } from '../video-modality.js';
import { renderDrawingsMain } from './render-drawings.js';

let dir: string;
const sink = () => {
  let text = '';
  return {
    stream: new Writable({
      write(c, _e, cb) {
        text += String(c);
        cb();
      },
    }),
    text: () => text,
  };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-render-'));
  const vertical = 'START\n52,-20,0\n52,-50,200\n52,-85,400\nBREAK\n';
  const corner = 'START\n20,-20,0\n80,-20,300\nBREAK\n80,-80,900\nBREAK\n';
  await writeFile(
    join(dir, 'strokes_background.zip'),
    storeZip([
      { name: 'strokes_background/Latin/character01/0001_01.txt', data: vertical },
      { name: 'strokes_background/Latin/character02/0002_01.txt', data: corner },
      { name: 'strokes_background/Greek/character01/0003_01.txt', data: 'START\nnot,a,point\n' },
    ]),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('render-drawings', () => {
  it('renders the drawings of an archive to <Alphabet>/characterNN/<id>.mp4 that the video modality reads back', async () => {
    const out = join(dir, 'videos');
    const [o, e] = [sink(), sink()];
    const code = await renderDrawingsMain(
      [join(dir, 'strokes_background.zip'), '--out', out, '--alphabets', 'Latin', '--quiet'],
      { out: o.stream, err: e.stream },
    );
    expect(e.text()).toBe('');
    expect(code).toBe(0);
    expect(o.text()).toMatch(
      /^rendered 2 clip\(s\) \(0 already there, 0 failed\) of 2 drawing\(s\): 47 frames, codec \w+/,
    );
    expect(await readdir(join(out, 'Latin'))).toEqual(['character01', 'character02']);
    const modality = new VideoModality();
    const pre = modality.preprocessSchema.parse({ frames: 4, size: 28 });
    const clip = join(out, 'Latin', 'character01', '0001_01.mp4');
    const x = await modality.decode(
      { id: 'Latin/character01/0001_01.mp4', path: clip, label: 'Latin/character01' },
      pre,
    );
    const ink = (t: number): number => x.subarray(t * 784, (t + 1) * 784).reduce((s, v) => s + v, 0);
    expect(ink(3)).toBeGreaterThan(ink(0) * 1.5); // frame 5 of 23 (200 ms, half-way) vs the finished line
    // the finished vertical line: 3 px around column 55 at 112, half of pixel 13 at 28; rows 23 .. 88 at 112
    const col = Array.from({ length: 28 }, (_, r) => x[3 * 784 + r * 28 + 13]!);
    expect(col.filter((v) => v > 0.3).length).toBeGreaterThan(12);

    // a second run keeps what exists; --force renders again
    const before = (await stat(join(out, 'Latin', 'character01', '0001_01.mp4'))).mtimeMs;
    const again = sink();
    expect(
      await renderDrawingsMain([join(dir, 'strokes_background.zip'), '--out', out, '--alphabets', 'Latin', '--quiet'], {
        out: again.stream,
        err: sink().stream,
      }),
    ).toBe(0);
    expect(again.text()).toMatch(/^rendered 0 clip\(s\) \(2 already there/);
    expect((await stat(join(out, 'Latin', 'character01', '0001_01.mp4'))).mtimeMs).toBe(before);
  }, 60_000);

  it('lists drawings it could not render and exits 1; usage errors exit 2', async () => {
    const [o, e] = [sink(), sink()];
    const code = await renderDrawingsMain(
      [join(dir, 'strokes_background.zip'), '--out', join(dir, 'greek'), '--alphabets', 'Greek', '--quiet'],
      { out: o.stream, err: e.stream },
    );
    expect(code).toBe(1);
    expect(e.text()).toContain('failed: ');
    expect(e.text()).toContain("Greek/character01/0003_01.txt:2: expected 'x,y,t_ms'");
    const u = sink();
    expect(await renderDrawingsMain([join(dir, 'strokes_background.zip')], { out: sink().stream, err: u.stream })).toBe(
      2,
    );
    expect(u.text()).toMatch(/^Usage error: --out DIR is required/);
    const bad = sink();
    expect(
      await renderDrawingsMain([join(dir, 'strokes_background.zip'), '--out', dir, '--alphabets', 'Klingon'], {
        out: sink().stream,
        err: bad.stream,
      }),
    ).toBe(2);
    expect(bad.text()).toContain('--alphabets: not in the archives: Klingon (found: Latin, Greek)');
  }, 60_000);
});
