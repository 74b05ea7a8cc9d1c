// Devices are a layer over the kernels (src/chip/circuits.ts): the chip and the rules reach a
// chip variant only through the ChipCircuits interface chosen in src/chip/variants.ts. Read
// from the sources' import statements (type-only imports included, since a type cycle is still
// a cycle for a reader): src/chip has no import cycle, the chip does not import a variant's
// implementation (only variants.ts does), no variant imports the chip, and no rule imports a
// variant.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname, normalize, relative } from 'node:path';

const SRC = join(__dirname, '../../src');

/** Relative imports of a source file, as paths relative to src/ ('chip/device.ts'). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
    out.push(relative(SRC, normalize(join(SRC, dirname(file), m[1]))).replace(/\.js$/, '.ts'));
  }
  return out;
}

const dir = (d: string) => readdirSync(join(SRC, d)).filter((f) => f.endsWith('.ts')).map((f) => `${d}/${f}`);
const VARIANTS = ['chip/device.ts', 'chip/quantized.ts', 'chip/fixed-point.ts', 'chip/ideal.ts'];

describe('devices are a layer over the kernels', () => {
  it('src/chip has no import cycle', () => {
    const files = dir('chip');
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => g.startsWith('chip/'))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (f: string, path: string[]): boolean => {
      if (state.get(f) === 'done') return false;
      if (state.get(f) === 'open') { cycle.push(...path, f); return true; }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) if (visit(g, [...path, f])) return true;
      state.set(f, 'done');
      return false;
    };
    for (const f of files) if (visit(f, [])) break;
    expect(cycle).toEqual([]);
    // The check sees the imports it should: the chip reaches its variants through variants.ts.
    expect(graph.get('chip/chip.ts')).toContain('chip/variants.ts');
  });

  it('the chip reaches a variant only through the circuits interface; variants never import the chip', () => {
    const chipImports = importsOf('chip/chip.ts');
    // chip.ts may name the Device type (chip.device, for inspection) but builds no variant itself.
    expect(chipImports.filter((f) => VARIANTS.includes(f) && f !== 'chip/device.ts')).toEqual([]);
    expect(readFileSync(join(SRC, 'chip/chip.ts'), 'utf8')).toMatch(/import type \{ Device \} from '\.\/device\.js'/);
    for (const v of [...VARIANTS, 'chip/circuits.ts', 'chip/spec.ts', 'chip/variants.ts']) {
      expect({ v, imports: importsOf(v).filter((f) => f === 'chip/chip.ts') }).toEqual({ v, imports: [] });
    }
  });

  it('Chip.forward calls the circuits and never asks for the device', () => {
    const text = readFileSync(join(SRC, 'chip/chip.ts'), 'utf8');
    const forward = text.slice(text.indexOf('  forward('), text.indexOf('  runSample('));
    expect(forward).toMatch(/c\.layerStep\(/);
    expect(forward).not.toMatch(/device|instanceof/);
  });

  it('no rule imports a variant or the device layer', () => {
    for (const r of dir('rules')) {
      const bad = importsOf(r).filter((f) => VARIANTS.includes(f) || f === 'chip/variants.ts');
      expect({ r, bad }).toEqual({ r, bad: [] });
      // ...nor asks the chip for its devices.
      expect({ r, device: /\bchip\.device\b/.test(readFileSync(join(SRC, r), 'utf8')) }).toEqual({ r, device: false });
    }
  });
});
