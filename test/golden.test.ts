// Golden cases worked on paper (test/golden/README.md): the chip's trace, on both backends,
// must equal the hand-computed trace.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAnyCaseFile } from '../src/trace/case.js';
import { runTrace } from '../src/trace/trace.js';

const dir = join(import.meta.dirname, 'golden');
const names = readdirSync(dir).filter((f) => f.endsWith('.case.json')).map((f) => f.replace('.case.json', ''));
/** Cases in decimals are not exact in f32: compared to this absolute tolerance. */
const TOLERANCE: Record<string, number> = {
  'spec-example': 1e-6,
  // softmax(o) with o = [1, 0] is e/(1+e): not exact in f32 (exp and division rounded).
  'stop-w-lif-softmax': 1e-6,
};

function compare(got: unknown, want: unknown, tol: number, path: string): void {
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    if (tol === 0) expect(got, path).toBe(want);
    else expect(Math.abs((got as number) - want), path).toBeLessThanOrEqual(tol);
  } else if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, path).toBe(want.length);
    want.forEach((w, i) => compare((got as unknown[])[i], w, tol, `${path}[${i}]`));
  } else if (want && typeof want === 'object') {
    expect(Object.keys(got as object).sort(), path).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) compare((got as Record<string, unknown>)[k], (want as Record<string, unknown>)[k], tol, `${path}.${k}`);
  } else {
    expect(got, path).toBe(want);
  }
}

describe('golden cases worked by hand', () => {
  it('has the cases', () => expect(names.length).toBeGreaterThanOrEqual(4));
  for (const name of names) {
    for (const backend of ['wasm', 'ts'] as const) {
      it(`${name} (${backend})`, () => {
        const trace = runTrace(readAnyCaseFile(join(dir, `${name}.case.json`)), backend);
        const want = JSON.parse(readFileSync(join(dir, `${name}.trace.json`), 'utf8'));
        compare(JSON.parse(JSON.stringify(trace)), want, TOLERANCE[name] ?? 0, 'trace');
      });
    }
  }
});
