import { pointCount, type Trajectory } from './trajectory.js';

/**
 * A `size` x `size` grey picture of a trajectory for reports: the pen-down path of its first two
 * channels drawn black on white (y up), fitted to the frame with a margin; a one-channel series is drawn
 * as its value over the point index.
 */
export function drawTrajectory(
  t: Trajectory,
  size: number,
): { width: number; height: number; channels: 1; data: Uint8Array } {
  const n = pointCount(t);
  const C = t.channels;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xs[k] = C >= 2 ? t.values[k * C]! : k;
    ys[k] = C >= 2 ? t.values[k * C + 1]! : t.values[k * C]!;
  }
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const margin = 4;
  const s = (size - 2 * margin) / Math.max(x1 - x0, y1 - y0, 1e-9);
  const ox = margin + (size - 2 * margin - (x1 - x0) * s) / 2;
  const oy = margin + (size - 2 * margin - (y1 - y0) * s) / 2;
  const data = new Uint8Array(size * size).fill(255);
  const plot = (x: number, y: number): void => {
    const px = Math.round(ox + (x - x0) * s);
    const py = Math.round(size - 1 - (oy + (y - y0) * s));
    for (let dy = 0; dy <= 1; dy++)
      for (let dx = 0; dx <= 1; dx++) {
        const X = px + dx;
        const Y = py + dy;
        if (X >= 0 && X < size && Y >= 0 && Y < size) data[Y * size + X] = 0;
      }
  };
  for (let k = 0; k < n; k++) {
    plot(xs[k]!, ys[k]!);
    if (k + 1 < n && t.stroke[k] === t.stroke[k + 1]) {
      const steps = Math.ceil(Math.hypot(xs[k + 1]! - xs[k]!, ys[k + 1]! - ys[k]!) * s);
      for (let i = 1; i < steps; i++)
        plot(xs[k]! + ((xs[k + 1]! - xs[k]!) * i) / steps, ys[k]! + ((ys[k + 1]! - ys[k]!) * i) / steps);
    }
  }
  return { width: size, height: size, channels: 1, data };
}
