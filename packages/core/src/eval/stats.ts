/** Mean and half-width of the normal-approximation 95% confidence interval of the mean. */
export function meanCi95(values: ArrayLike<number>): { mean: number; ci95: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, ci95: NaN, std: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, ci95: n > 1 ? (1.96 * std) / Math.sqrt(n) : 0, std };
}
