import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContainerModule } from 'inversify';
import {
  DataError,
  EncoderFactory,
  LabeledSet,
  listDatasetRoot,
  Modality,
  sampleShape,
  tf,
  z,
  type DatasetSpec,
  type Rng,
  type SampleRef,
} from '../plugin.js';
import { initBackend } from '../backend/select-backend.js';
import {
  checkPlugin,
  conformanceChecks,
  describeConformance,
  type ConformanceOptions,
  type ConformanceResult,
} from './index.js';

// A toy plugin as a plugin author would write it: `toy` samples are JSON arrays of 16 numbers in
// [0, 1] (4x4 grey images), one class per folder; a dense encoder; additive-noise augmentation.
// Each test breaks one part of it and expects exactly the check about that part to fail.

const toyPreprocess = z.strictObject({ gain: z.number().min(0).max(1).default(1) });
type ToyPre = z.output<typeof toyPreprocess>;
const toyAugment = z.strictObject({ noise: z.number().min(0).max(1).default(0.1) });
type ToyAug = z.output<typeof toyAugment>;

function toyModality(): Modality<ToyPre, ToyAug> {
  return {
    id: 'toy',
    description: 'toy 4x4 samples stored as JSON (test plugin)',
    layouts: ['folder'],
    defaultEncoder: 'toy-dense',
    preprocessSchema: toyPreprocess,
    augmentSchema: toyAugment,
    sampleShape: () => sampleShape([4, 4, 1], ['height', 'width', 'channels']),
    storesAsUint8: () => true,
    async load(spec: DatasetSpec) {
      const root = await listDatasetRoot(spec);
      const samples: SampleRef[] = [];
      for (const c of root.dirs) {
        for (const f of (await listDatasetRoot({ ...spec, path: path.join(spec.path, c) })).files) {
          samples.push({ id: `${c}/${f}`, path: path.join(spec.path, c, f), label: c });
        }
      }
      return new LabeledSet(samples, spec.path);
    },
    async decode(ref: SampleRef, pre: ToyPre) {
      let values: unknown;
      try {
        values = JSON.parse(await readFile(ref.path, 'utf8'));
      } catch (err) {
        throw new DataError(`${ref.path}: not a toy sample (${(err as Error).message})`);
      }
      if (!Array.isArray(values) || values.length !== 16) throw new DataError(`${ref.path}: expected 16 numbers`);
      return Float32Array.from(values as number[], (v) => v * pre.gain);
    },
    augment(sample: Float32Array, _pre: ToyPre, options: ToyAug, rng: Rng) {
      for (let i = 0; i < sample.length; i++)
        sample[i] = Math.min(1, Math.max(0, sample[i]! + rng.uniform(-options.noise, options.noise)));
    },
  };
}

function toyEncoder(): EncoderFactory {
  return {
    id: 'toy-dense',
    description: 'flatten + dense 4 (test plugin)',
    modalities: ['toy'],
    build(shape, _options, seed) {
      return tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [...shape.dims] }),
          tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        ],
      });
    },
  };
}

/** The toy plugin's ContainerModule, with the given parts replaced. */
function toyPlugin(
  modality: Partial<Modality<ToyPre, ToyAug>> = {},
  encoder: Partial<EncoderFactory> = {},
): ContainerModule {
  const m = { ...toyModality(), ...modality };
  const e = { ...toyEncoder(), ...encoder };
  return new ContainerModule(({ bind }) => {
    bind(Modality).toConstantValue(m);
    bind(EncoderFactory).toConstantValue(e);
  });
}

/** 2 classes x 2 samples of 16 values in [0, 1]. */
function writeFixture(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-conformance-spec-'));
  for (const [c, label] of ['circle', 'square'].entries()) {
    mkdirSync(path.join(dir, label));
    for (let s = 0; s < 2; s++) {
      writeFileSync(
        path.join(dir, label, `s${s}.json`),
        JSON.stringify(Array.from({ length: 16 }, (_, i) => ((i * (c + 3) + s * 5) % 11) / 10)),
      );
    }
  }
  return dir;
}

const fixture = writeFixture();
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

const options = (plugin: ContainerModule, extra: Partial<ConformanceOptions> = {}): ConformanceOptions => ({
  plugin,
  modality: 'toy',
  fixture,
  augment: { noise: 0.2 },
  ...extra,
});

/** The results that failed, by check name. */
function failures(results: readonly ConformanceResult[]): Map<string, string> {
  return new Map(results.filter((r) => !r.ok).map((r) => [r.name, r.error ?? '']));
}

/** The one check whose name contains `part`. */
function named(results: readonly ConformanceResult[], part: string): ConformanceResult {
  const found = results.filter((r) => r.name.includes(part));
  if (found.length !== 1)
    throw new Error(`${found.length} checks named like '${part}': ${results.map((r) => r.name).join(' | ')}`);
  return found[0]!;
}

beforeAll(async () => {
  await initBackend('cpu');
});

// The suite registered through jest's globals, as a plugin's own spec does it.
describeConformance(options(toyPlugin()));

describe('conformance checks', () => {
  it('pass for a correct plugin, one result per check in order', async () => {
    const results = await checkPlugin(options(toyPlugin()));
    expect(failures(results)).toEqual(new Map());
    expect(results.map((r) => r.name)).toEqual(conformanceChecks(options(toyPlugin())).map((c) => c.name));
    expect(results.length).toBe(11);
  });

  it('fail when the plugin does not provide the modality', async () => {
    const results = await checkPlugin({ ...options(toyPlugin({ id: 'toys' })) });
    const first = named(results, 'provides the modality');
    expect(first.ok).toBe(false);
    expect(first.error).toMatch(/provides the modalities \[toys\], expected the modality 'toy'/);
    // the others say why they could not run, instead of repeating the fault
    expect(named(results, 'finds >= 2 classes').error).toMatch(/^cannot check this: loading the plugin failed first/);
  });

  it('fail when decode gives the wrong number of values', async () => {
    const good = toyModality();
    const results = await checkPlugin(
      options(toyPlugin({ decode: async (ref, pre) => (await good.decode(ref, pre)).subarray(1) })),
    );
    expect(named(results, 'decode gives a Float32Array').error).toMatch(
      /s0\.json gave 15 values, expected 16 \(sampleShape \[4, 4, 1\] \(height, width, channels\)\)/,
    );
    expect(named(results, 'decode is deterministic').error).toMatch(/^cannot check this: decode failed first/);
    expect(named(results, 'finds >= 2 classes').ok).toBe(true);
    expect(named(results, "'folder' layout").error).toMatch(/gave 15 values, expected 16/);
  });

  it('fail when decode gives values that are not finite, or not a Float32Array', async () => {
    const nan = await checkPlugin(options(toyPlugin({ decode: async () => new Float32Array(16).fill(Number.NaN) })));
    expect(named(nan, 'decode gives a Float32Array').error).toMatch(/gave NaN at index 0, expected finite values/);
    const plain = await checkPlugin(
      options(toyPlugin({ decode: async () => new Array(16).fill(0) as unknown as Float32Array })),
    );
    expect(named(plain, 'decode gives a Float32Array').error).toMatch(/gave a Array, expected a Float32Array/);
  });

  it('fail when sampleShape has names of another length than its dims, or a dim that is not a positive integer', async () => {
    const names = await checkPlugin(
      options(toyPlugin({ sampleShape: () => ({ dims: [4, 4, 1], names: ['height', 'width'] }) })),
    );
    expect(named(names, 'decode gives a Float32Array').error).toMatch(
      /has 3 dims \[4, 4, 1\] but 2 names \[height, width\]/,
    );
    const dims = await checkPlugin(
      options(toyPlugin({ sampleShape: () => ({ dims: [16, 0.5, 2], names: ['a', 'b', 'c'] }) })),
    );
    expect(named(dims, 'decode gives a Float32Array').error).toMatch(
      /dims must be positive integers, got \[16, 0\.5, 2\] \(dim 1 is 0\.5\)/,
    );
  });

  it('fail when decode of a bad file throws a plain Error, or a DataError not naming the file', async () => {
    const good = toyModality();
    const plain = await checkPlugin(
      options(
        toyPlugin({
          decode: async (ref, pre) => {
            try {
              return await good.decode(ref, pre);
            } catch {
              throw new Error('unexpected token');
            }
          },
        }),
      ),
    );
    expect(failures(plain).size).toBe(1);
    expect(named(plain, 'bad file').error).toMatch(
      /not-a-sample\.json threw Error \(unexpected token\), expected a DataError/,
    );
    const anonymous = await checkPlugin(
      options(
        toyPlugin({
          decode: async (ref, pre) => {
            try {
              return await good.decode(ref, pre);
            } catch {
              throw new DataError('not a toy sample');
            }
          },
        }),
      ),
    );
    expect(named(anonymous, 'bad file').error).toMatch(
      /threw a DataError whose message does not name the file: 'not a toy sample'/,
    );
  });

  it('fail when augmentation does not draw from the Rng it is given', async () => {
    const results = await checkPlugin(
      options(
        toyPlugin({
          augment: (sample) => {
            for (let i = 0; i < sample.length; i++) sample[i] = Math.random();
          },
        }),
      ),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'augment is deterministic').error).toMatch(
      /s0\.json twice with Rng seed \d+ gave .* expected the same values/,
    );
  });

  it('fail when augmentation makes values that are not finite', async () => {
    const results = await checkPlugin(
      options(toyPlugin({ augment: (sample) => sample.fill(Number.POSITIVE_INFINITY) })),
    );
    expect(named(results, 'augment is deterministic').error).toMatch(
      /gave Infinity at index 0, expected finite values/,
    );
  });

  it('fail when augmentSchema accepts a misspelt key', async () => {
    const results = await checkPlugin(
      options(toyPlugin({ augmentSchema: z.object({ noise: z.number().default(0.1) }) })),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'misspelt key').error).toMatch(/accepted the unknown key 'noiseTypo'/);
  });

  it('fail when storesAsUint8 is claimed for values outside [0, 1]', async () => {
    const good = toyModality();
    const results = await checkPlugin(
      options(toyPlugin({ decode: async (ref, pre) => (await good.decode(ref, pre)).map((v) => v * 255) })),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'storesAsUint8').error).toMatch(
      /storesAsUint8\(pre\) is true, but .*s0\.json decodes to [\d.]+ at index \d+, expected values in \[0, 1\]/,
    );
  });

  it('fail when decoding is not deterministic', async () => {
    const good = toyModality();
    const results = await checkPlugin(
      options(toyPlugin({ decode: async (ref, pre) => (await good.decode(ref, pre)).map((v) => v * Math.random()) })),
    );
    expect(named(results, 'decode is deterministic').error).toMatch(/twice gave .* expected the same values/);
  });

  it('fail when an encoder gives an output of the wrong rank', async () => {
    const results = await checkPlugin(
      options(
        toyPlugin(
          {},
          {
            build: (shape) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [...shape.dims], units: 2 })] }),
          },
        ),
      ),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'every encoder').error).toMatch(
      /encoder 'toy-dense' maps a \[2, 4, 4, 1\] batch to \[2, 4, 4, 2\], expected \[2, d\]/,
    );
  });

  it('fail when an encoder leaks tensors', async () => {
    const good = toyEncoder();
    let leaked: tf.Tensor | undefined;
    const results = await checkPlugin(
      options(
        toyPlugin(
          {},
          {
            build: (shape, o, seed) => {
              leaked = tf.ones([3]);
              return good.build(shape, o, seed);
            },
          },
        ),
      ),
    );
    leaked?.dispose();
    expect(named(results, 'every encoder').error).toMatch(
      /encoder 'toy-dense': 1 tensor\(s\) left after building, predicting and model.dispose\(\)/,
    );
  });

  it('fail when the default encoder is not provided, or an encoder is built for another shape', async () => {
    const missing = await checkPlugin(options(toyPlugin({ defaultEncoder: 'toy-cnn' })));
    expect(named(missing, 'every encoder').error).toMatch(
      /encoder 'toy-cnn' \(the defaultEncoder of the 'toy' modality\) is not provided/,
    );
    const other = await checkPlugin(options(toyPlugin(), { encoders: ['toy-fixed'] }));
    expect(named(other, "encoder 'toy-fixed'").error).toMatch(/encoder 'toy-fixed' .*is not provided/);
    const fixed = await checkPlugin(
      options(
        toyPlugin({}, { build: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 4 })] }) }),
      ),
    );
    expect(named(fixed, 'every encoder').error).toMatch(/takes \[null,16\], expected one input \[null,4,4,1\]/);
  });

  it('fail when load finds one class, or the folder layout is missing', async () => {
    const good = toyModality();
    const one = await checkPlugin(
      options(toyPlugin({ load: async (spec) => (await good.load(spec)).restrict(['circle']) })),
    );
    expect(named(one, 'finds >= 2 classes').error).toMatch(/load found 1 class \[circle\] in .*, expected >= 2/);
    const noFolder = await checkPlugin(options(toyPlugin({ layouts: ['grid'], load: (spec) => good.load(spec) })));
    expect(failures(noFolder).size).toBe(1);
    expect(named(noFolder, "'folder' layout").error).toMatch(
      /has the layouts \[grid\], expected one of them to be 'folder'/,
    );
  });

  it('fail when labels are not folder names', async () => {
    const good = toyModality();
    const results = await checkPlugin(
      options(
        toyPlugin({
          load: async (spec) =>
            new LabeledSet((await good.load(spec)).samples.map((s) => ({ ...s, label: `${s.label}!` }))),
        }),
      ),
    );
    expect(named(results, 'finds >= 2 classes').error).toMatch(/class 'circle!' is not a folder of the fixture/);
  });

  it('fail when the given bad file decodes (badFile, relative to baseDir)', async () => {
    const results = await checkPlugin(
      options(toyPlugin(), { baseDir: fixture, fixture: '.', badFile: 'circle/s1.json' }),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'bad file').error).toBe(
      `decoding the bad file ${path.join(fixture, 'circle', 's1.json')} gave 16 values, expected a DataError naming the file`,
    );
  });

  it('fail when preprocessSchema does not parse its own output to the same settings', async () => {
    const doubling = z.strictObject({
      gain: z
        .number()
        .default(0.25)
        .transform((g) => g * 2),
    });
    const results = await checkPlugin(
      options(toyPlugin({ preprocessSchema: doubling as unknown as typeof toyPreprocess })),
    );
    expect(failures(results).size).toBe(1);
    expect(named(results, 'parses its own output').error).toBe(
      'preprocessSchema parses its own output {"gain":0.5} to {"gain":1}, expected the same settings (a saved model would decode differently)',
    );
  });

  it('fail when the preprocess settings are not accepted', async () => {
    const results = await checkPlugin(options(toyPlugin(), { preprocess: { gian: 0.5 } }));
    expect(named(results, 'decode gives a Float32Array').error).toMatch(/gian/);
  });
});

describe('describeConformance', () => {
  it('registers one test per check, in a suite naming the plugin and modality', () => {
    const suites: string[] = [];
    const tests: string[] = [];
    describeConformance(
      { plugin: './toy.js', modality: 'toy', fixture },
      {
        describe: (name, body) => {
          suites.push(name);
          body();
        },
        it: (name) => tests.push(name),
      },
    );
    expect(suites).toEqual(["conformance of ./toy.js (modality 'toy')"]);
    expect(tests).toEqual(conformanceChecks({ plugin: './toy.js', modality: 'toy', fixture }).map((c) => c.name));
    expect(tests.some((t) => t.includes('augment is deterministic'))).toBe(false);
  });
});
