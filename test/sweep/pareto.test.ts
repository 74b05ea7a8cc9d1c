// The sweep page's Pareto front (lower energy, higher accuracy): a property against the definition.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { paretoFront, variedOptions } from '../../src/report/html/sweep.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SWEEP_COMMANDS, parseSweep, expand } from '../../src/cli/sweep/spec.js';

const dominates = (a: { x: number; y: number }, b: { x: number; y: number }) => a.x <= b.x && a.y >= b.y && (a.x < b.x || a.y > b.y);

describe('paretoFront', () => {
  it('holds exactly the points no other point dominates (one of equal duplicates), sorted by x', () => {
    const pt = fc.record({ x: fc.integer({ min: 0, max: 20 }), y: fc.integer({ min: 0, max: 20 }) });
    fc.assert(fc.property(fc.array(pt, { maxLength: 40 }), (pts) => {
      const front = paretoFront(pts);
      const onFront = new Set(front);
      for (let i = 0; i < pts.length; i++) {
        const dominated = pts.some((q) => dominates(q, pts[i]));
        if (onFront.has(i)) expect(dominated).toBe(false);
        else expect(dominated || front.some((j) => pts[j].x === pts[i].x && pts[j].y === pts[i].y)).toBe(true);
      }
      for (let k = 1; k < front.length; k++) expect(pts[front[k]].x).toBeGreaterThan(pts[front[k - 1]].x);
    }));
  });

  it('variedOptions names the options whose values differ', () => {
    const row = (o: Record<string, unknown>) => ({ id: 'x', index: 0, status: 'ok', options: o, figures: {} });
    expect(variedOptions([row({ a: 1, b: [8], c: 'x' }), row({ a: 1, b: [9], c: 'x' }), row({ a: 1, b: [9], c: 'y' })])).toEqual(['b', 'c']);
  });
});

describe('the sweep schema and the shipped sweeps', () => {
  const root = join(import.meta.dirname, '..', '..');
  it('the schema names the commands the reader takes; the example expands to every rule x model', () => {
    const schema = JSON.parse(readFileSync(join(root, 'sweeps', 'ncsim.sweep.schema.json'), 'utf8'));
    expect([...schema.properties.command.enum].sort()).toEqual(Object.keys(SWEEP_COMMANDS).sort());
    expect(schema.properties.schema.const).toBe('ncsim.sweep/1');
    const spec = parseSweep(JSON.parse(readFileSync(join(root, 'sweeps', 'rules-x-hw.json'), 'utf8')), 'rules-x-hw.json');
    expect(expand(spec).length).toBe(5 * 4);
  });
});
