import { ConfigError } from '../errors.js';
import { parseBench } from './load-bench.js';

const text = `name: t
tasks:
  omni:
    modality: image
    path: images_evaluation
    ways: [5, 20]
    shotz: 1
methods:
  pixel: { baseline: pixel }
cells:
  - { method: pixel, task: omni, source: none, target: omni }
`;

describe('parseBench', () => {
  it('reports schema problems with file:line:col, the key and a suggestion', () => {
    expect(() => parseBench(text, '/b.yaml')).toThrow(ConfigError);
    try {
      parseBench(text, '/b.yaml');
    } catch (e) {
      expect((e as ConfigError).message).toBe('/b.yaml: the bench file has 1 problem');
      expect((e as ConfigError).hints).toEqual([
        "/b.yaml:7:5: tasks.omni.shotz: unknown key 'shotz' (did you mean 'shots'?)",
      ]);
    }
  });

  it('applies defaults and points problems found later at their keys', () => {
    const b = parseBench(text.replace('shotz', 'shots'), '/b.yaml');
    expect(b.spec.tasks['omni']).toMatchObject({ root: '.', ways: [5, 20], shots: 1, queries: 1, episodes: 200 });
    expect(b.spec.seed).toBe(1);
    expect(b.problem(['tasks', 'omni', 'ways'], 'too many')).toMatchObject({
      path: 'tasks.omni.ways',
      location: { kind: 'file', line: 6, col: 11 },
    });
    expect(b.problem(['cells', 0, 'method'], 'x').location).toMatchObject({ line: 11, col: 15 });
  });

  it('names a YAML syntax error at its position', () => {
    expect(() => parseBench('tasks: [\n', '/c.yaml')).toThrow(/^\/c\.yaml:2:1: /);
  });
});
