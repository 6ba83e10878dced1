import type { SampleShape } from '../plugin.js';

/**
 * Throw an Error unless `shape` is a well-formed SampleShape: `dims` positive integers, `names`
 * non-empty strings, one name per dim. `what` names where the shape came from.
 */
export function checkSampleShape(shape: SampleShape, what: string): void {
  const dims: unknown = shape?.dims;
  const names: unknown = shape?.names;
  if (!Array.isArray(dims) || !Array.isArray(names)) {
    throw new Error(`${what} must be { dims: number[], names: string[] }, got ${JSON.stringify(shape)}`);
  }
  if (dims.length === 0) throw new Error(`${what} has no dims`);
  if (dims.length !== names.length) {
    throw new Error(
      `${what} has ${dims.length} dims [${dims.join(', ')}] but ${names.length} names [${names.join(', ')}]`,
    );
  }
  const badDim = dims.findIndex((d) => !(Number.isInteger(d) && (d as number) > 0));
  if (badDim >= 0)
    throw new Error(
      `${what}: dims must be positive integers, got [${dims.join(', ')}] (dim ${badDim} is ${String(dims[badDim])})`,
    );
  const badName = names.findIndex((n) => typeof n !== 'string' || n.length === 0);
  if (badName >= 0) throw new Error(`${what}: names must be non-empty strings, got ${JSON.stringify(names)}`);
}

/** `[h, w, c] (height, width, channels)` for messages. */
export function formatShape(shape: SampleShape): string {
  return `[${shape.dims.join(', ')}] (${shape.names.join(', ')})`;
}

/** Throw an Error unless `values`, decoded from `file`, is a Float32Array of `shapeSize(shape)` finite values. */
export function checkDecoded(values: unknown, file: string, shape: SampleShape): asserts values is Float32Array {
  if (Object.prototype.toString.call(values) !== '[object Float32Array]') {
    throw new Error(`decoding ${file} gave ${kindOf(values)}, expected a Float32Array`);
  }
  const v = values as Float32Array;
  const size = shape.dims.reduce((a, b) => a * b, 1);
  if (v.length !== size)
    throw new Error(`decoding ${file} gave ${v.length} values, expected ${size} (sampleShape ${formatShape(shape)})`);
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`decoding ${file} gave ${v[bad]} at index ${bad}, expected finite values`);
}

function kindOf(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'object'}`;
  return `a ${typeof x}`;
}
