/**
 * The chip stores and computes in f32 (Math.fround in the TypeScript twin), while JSON and the
 * command line give f64: a value is checked against the f32 range it will live in, not against
 * f64's. 1e300 is finite in f64 but Infinity in f32; 1e-300 is > 0 in f64 but 0 in f32.
 */

/** The largest finite f32. */
export const F32_MAX = 3.4028234663852886e38;

/** Finite once rounded to f32. */
export function isF32Finite(x: number): boolean {
  return Number.isFinite(Math.fround(x));
}

/** > 0 and finite once rounded to f32 (thresholds, widths). */
export function isF32Positive(x: number): boolean {
  const f = Math.fround(x);
  return f > 0 && Number.isFinite(f);
}

/** In (0, 1] once rounded to f32 (leaks). */
export function isF32Fraction(x: number): boolean {
  const f = Math.fround(x);
  return f > 0 && f <= 1;
}

/** Words for messages. */
export const F32_FINITE = `a finite number within f32 range (|x| <= ${F32_MAX.toPrecision(5)})`;
export const F32_POSITIVE = 'a number > 0 that stays > 0 in f32 (>= 1.4e-45) and is finite in f32';
export const F32_FRACTION = 'a number in (0, 1] that stays > 0 in f32';
