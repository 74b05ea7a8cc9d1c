// Sweep files (src/cli/sweep/spec.ts): refusals name the key; the expansion's order, count and
// ids follow the file (ids hash the defaulted options and the named files' contents).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expand, parseSweep, SWEEP_SCHEMA } from '../../src/cli/sweep/spec.js';
import { InputError } from '../../src/io/errors.js';

const doc = (o: Record<string, unknown>) => ({ schema: SWEEP_SCHEMA, command: 'train', ...o });
const configs = (o: Record<string, unknown>) => expand(parseSweep(doc(o), 's.json'));
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('not refused');
};

describe('sweep file', () => {
  it('grid in key order (last key fastest), every zip row at each grid point', () => {
    const cs = configs({ fixed: { epochs: 1 }, grid: { rule: ['ltl-online', 'stop-w'], hw: ['loihi', 'rram', 'xylo'] }, zip: { seed: [1, 2], lr: [0.1, 0.2] } });
    expect(cs.length).toBe(2 * 3 * 2);
    expect(cs.map((c) => `${c.given.rule}/${c.given.hw}/${c.given.seed}/${c.given.lr}`).slice(0, 4)).toEqual(['ltl-online/loihi/1/0.1', 'ltl-online/loihi/2/0.2', 'ltl-online/rram/1/0.1', 'ltl-online/rram/2/0.2']);
    expect(cs[11].given).toEqual({ epochs: 1, rule: 'stop-w', hw: 'xylo', seed: 2, lr: 0.2 });
    expect(new Set(cs.map((c) => c.id)).size).toBe(cs.length);
    expect(cs[0].argv).toEqual(['--epochs=1', '--rule=ltl-online', '--hw=loihi', '--seed=1', '--lr=0.1']);
  });

  it('ids: a default spelled out is the same configuration; another value is not; stable across runs', () => {
    const a = configs({ grid: { seed: [1, 2] } });
    const b = configs({ fixed: { epochs: 2 }, grid: { seed: [1, 2] } });
    const c = configs({ fixed: { epochs: 3 }, grid: { seed: [1, 2] } });
    expect(b.map((x) => x.id)).toEqual(a.map((x) => x.id));
    expect(c[0].id).not.toBe(a[0].id);
    expect(configs({ grid: { seed: [1, 2] } }).map((x) => x.id)).toEqual(a.map((x) => x.id));
  });

  it('ids follow the contents of a named net file, not only its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-sweep-'));
    const net = join(dir, 'n.json');
    const text = (units: number) => JSON.stringify({ schema: 'ncsim.net/1', input: { channels: 1, height: 28, width: 28 }, layers: [{ type: 'dense', units }, { type: 'dense', units: 10 }] });
    writeFileSync(net, text(32));
    const first = configs({ fixed: { net } })[0].id;
    writeFileSync(net, text(33));
    expect(configs({ fixed: { net } })[0].id).not.toBe(first);
  });

  it('refuses bad files naming the key and what was expected', () => {
    expect(refusal(() => parseSweep({ ...doc({}), schema: 'x' }, 's.json'))).toMatch(/sweep s\.json field "schema": expected "ncsim\.sweep\/1"/);
    expect(refusal(() => parseSweep(doc({ command: 'trace' }), 's.json'))).toMatch(/"command": expected one of train, robustness, net/);
    expect(refusal(() => parseSweep(doc({ axes: {} }), 's.json'))).toMatch(/"axes".*unknown key/);
    expect(refusal(() => parseSweep(doc({ grid: { rule: [] } }), 's.json'))).toMatch(/"grid\.rule": expected a non-empty list/);
    expect(refusal(() => parseSweep(doc({ zip: { seed: [1, 2], lr: [0.1] } }), 's.json'))).toMatch(/"zip\.lr": expected 2 values, as zip\.seed/);
    expect(refusal(() => parseSweep(doc({ fixed: { seed: 1 }, grid: { seed: [1, 2] } }), 's.json'))).toMatch(/"grid\.seed".*in fixed/);
    expect(refusal(() => parseSweep(doc({ fixed: { seed: { a: 1 } } }), 's.json'))).toMatch(/"fixed\.seed": expected a string, a finite number/);
    expect(refusal(() => configs({ grid: { rulez: ['ltl-online'] } }))).toMatch(/"grid\.rulez\[0\]": expected a known option of "train".*did you mean --rule/);
    expect(refusal(() => configs({ grid: { rule: ['ltl-online', 'hebb'] } }))).toMatch(/"grid\.rule\[1\]": expected one of ltl-online, .*got "hebb"$/);
    expect(refusal(() => configs({ fixed: { steps: 0 } }))).toMatch(/"fixed\.steps"/);
    expect(refusal(() => configs({ fixed: { out: 'x.json' } }))).toMatch(/"fixed\.out".*set by the sweep/);
    expect(refusal(() => configs({ grid: { seed: [1, 1] } }))).toMatch(/"configuration 1".*same as configuration 0/);
    expect(refusal(() => expand(parseSweep({ schema: SWEEP_SCHEMA, command: 'net' }, 's.json')))).toMatch(/"fixed\.file"/);
  });
});
