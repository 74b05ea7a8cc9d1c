// The boxcar surrogate of the spike's derivative (ALGORITHMS §4), the one gate of every
// learning circuit (online LTL, the offline LTL / BPTT backward step, STOP), float or fixed:
//   open(U) = |U - theta| < p/2,   g(U) = h if open else 0.
// T is the arithmetic of the comparison: f32 on float chips (U - theta rounded to f32, as the
// f32 circuits compute it), f64 on fixed-point chips (integers and p/2 in LSBs, exact).
// Twin: src/reference/surrogate.ts.

/** Half the window, p/2, of a surrogate of width p (f32). */
// @ts-ignore: decorator
@inline export function boxcarHalf(width: f32): f32 {
  return width / <f32>2;
}

/** The 1-bit gate: |U - theta| < half. */
// @ts-ignore: decorator
@inline export function boxcarOpen<T>(u: T, theta: T, half: T): bool {
  return abs<T>(u - theta) < half;
}

/** The gate's value g(U): height inside the window, 0 outside. */
// @ts-ignore: decorator
@inline export function boxcar<T>(u: T, theta: T, half: T, height: T): T {
  return boxcarOpen<T>(u, theta, half) ? height : <T>0;
}
