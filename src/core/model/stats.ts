// Summary statistics of a tensor's values, computed in one pass plus one histogram pass.
export interface TensorStats {
  count: number;
  /** Over finite values only; NaN when there are none. */
  min: number;
  max: number;
  mean: number;
  std: number;
  zeros: number;
  nan: number;
  inf: number;
  histogram: { min: number; max: number; counts: number[] };
}

export function tensorStats(values: ArrayLike<number>, bins = 32): TensorStats {
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  let nan = 0;
  let inf = 0;
  let finite = 0;
  // Welford's update keeps the variance accurate for large tensors with a large mean.
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) { nan++; continue; }
    if (v === Infinity || v === -Infinity) { inf++; continue; }
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
    finite++;
    const delta = v - mean;
    mean += delta / finite;
    m2 += delta * (v - mean);
  }
  const counts = new Array<number>(finite ? bins : 0).fill(0);
  if (finite) {
    const width = (max - min) / bins;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      const bin = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : 0;
      counts[bin]++;
    }
  }
  return {
    count: values.length,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    mean: finite ? mean : NaN,
    std: finite ? Math.sqrt(m2 / finite) : NaN,
    zeros,
    nan,
    inf,
    histogram: { min: finite ? min : NaN, max: finite ? max : NaN, counts },
  };
}
