// TypeScript twin of assembly/surrogate.ts: the boxcar surrogate's gate, one for every learning
// circuit. `exact` is the arithmetic of U - theta (AssemblyScript's T): false, f32 (float chips,
// Math.fround); true, f64 (fixed-point chips, whose integers and window are exact in f64).
const fr = Math.fround;

/** Half the window, p/2, of a surrogate of width p (f32). */
export function boxcarHalf(width: number): number {
  return fr(fr(width) / 2);
}

/** The 1-bit gate: |U - theta| < half. */
export function boxcarOpen(u: number, theta: number, half: number, exact = false): boolean {
  return Math.abs(exact ? u - theta : fr(u - theta)) < half;
}

/** The gate's value g(U): height inside the window, 0 outside. */
export function boxcar(u: number, theta: number, half: number, height: number, exact = false): number {
  return boxcarOpen(u, theta, half, exact) ? height : 0;
}
