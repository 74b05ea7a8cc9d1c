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

describe('multi-seed summary', () => {
  it('groups by the options other than seed, mean and sample sd over complete seeds', async () => {
    const { seedSummary, meanSd } = await import('../../src/cli/sweep/results.js');
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(meanSd([7]).sd).toBe(null);
    const row = (rule: string, seed: number, acc: number | null, status: 'ok' | 'failed' = 'ok') => ({ id: `${rule}${seed}`, index: 0, status, options: { rule, seed }, figures: { acc } });
    const csv = seedSummary([row('a', 1, 0.5), row('a', 2, 0.7), row('b', 1, 0.1), row('b', 2, null, 'failed')], ['rule', 'seed'], ['acc'])!;
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('rule,seeds,complete,acc_mean,acc_sd');
    const [a, b] = lines.slice(1).map((l) => l.split(','));
    expect(a.slice(0, 3)).toEqual(['a', '2', '2']);
    expect(Number(a[3])).toBeCloseTo(0.6, 12);
    expect(Number(a[4])).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(b).toEqual(['b', '2', '1', '0.1', '']);
    expect(seedSummary([row('a', 1, 0.5), row('b', 1, 0.7)], ['rule', 'seed'], ['acc'])).toBe(null);
  });
});
