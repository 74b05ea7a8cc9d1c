// TypeScript twin of assembly/surrogate.ts: the boxcar surrogate's gate, one for every learning
// circuit. `round` is the arithmetic of U - theta: f32 (Math.fround, float chips, the default)
// or f64 (exact, fixed-point chips, whose integers and window are exact in f64).
const fr = Math.fround;

/** f64 arithmetic: the identity (AssemblyScript's T = f64). */
export const f64 = (x: number): number => x;

/** Half the window, p/2, of a surrogate of width p (f32). */
export function boxcarHalf(width: number): number {
  return fr(fr(width) / 2);
}

/** The 1-bit gate: |U - theta| < half. */
export function boxcarOpen(u: number, theta: number, half: number, round: (x: number) => number = fr): boolean {
  return Math.abs(round(u - theta)) < half;
}

/** The gate's value g(U): height inside the window, 0 outside. */
export function boxcar(u: number, theta: number, half: number, height: number, round: (x: number) => number = fr): number {
  return boxcarOpen(u, theta, half, round) ? height : 0;
}
