// How a cost grows with size: y ≈ c · x^k, fitted by least squares on log-log.

export interface PowerFit {
  k: number;
  c: number;
  /** Share of the variance of log y that the fit explains. */
  r2: number;
}

/** Needs two or more points with positive x and y (others are left out); undefined otherwise. */
export function powerFit(points: Array<{ x: number; y: number }>): PowerFit | undefined {
  const usable = points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y));
  const n = usable.length;
  if (n < 2) return undefined;
  const lx = usable.map((p) => Math.log(p.x));
  const ly = usable.map((p) => Math.log(p.y));
  const mx = lx.reduce((a, b) => a + b, 0) / n;
  const my = ly.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) return undefined;
  const k = sxy / sxx;
  return { k, c: Math.exp(my - k * mx), r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}
