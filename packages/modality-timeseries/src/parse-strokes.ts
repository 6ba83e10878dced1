import { DataError } from '@fewshot/core/plugin';
import { TrajectoryBuilder, parseNumber, type Trajectory } from './trajectory.js';

/**
 * Parse an Omniglot stroke file: `START`, then strokes of `x,y,t_ms` lines separated by `BREAK`.
 * Channels x and y (Omniglot's motor coordinates, y up), time in ms, one stroke per `BREAK`-separated
 * run. A DataError names `source` and the line for anything else, and for a file of fewer than 2 points.
 */
export function parseStrokeText(text: string, source: string): Trajectory {
  const b = new TrajectoryBuilder(source);
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line === 'START') return;
    if (line === 'BREAK') {
      b.breakStroke();
      return;
    }
    const parts = line.split(',');
    const nums = parts.map(parseNumber);
    if (parts.length !== 3 || nums.some((v) => v === undefined)) {
      throw new DataError(`${source}: line ${i + 1}: expected 'x,y,t_ms', START or BREAK, got '${line.slice(0, 60)}'`);
    }
    b.add([nums[0]!, nums[1]!], nums[2]!, `line ${i + 1}`);
  });
  return b.build();
}
