/**
 * RTL co-simulation (docs/rtl.md): ncsim's random fixed-point online-LTL cases (loihi's format,
 * updates at every step, spike inputs), plus cases whose gate sits exactly on the boxcar's edge,
 * replayed through rtl/ltl_learn.v in Icarus Verilog, every step's counts, gates, weights and
 * biases and each sample's update events compared. Both circuits (exact error, sign()/boxcar())
 * must agree bit for bit; the circuit with its boxcar comparison widened by one LSB must not.
 * Under CI=true a missing iverilog fails the test instead of skipping it.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomCase, CaseJson } from '../../src/trace/random-cases.js';
import { parseCase } from '../../src/trace/case.js';
import { runTrace, Trace } from '../../src/trace/trace.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { Group, groupsOfCase, stimulusText, compileBench, runBench, boundaryCase, expectedVcd } from './driver.js';

const HAS = (() => {
  try {
    execFileSync('iverilog', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const CASES = 200;
const SEED = 20261206;
const trace = (c: CaseJson): Trace => runTrace(parseCase(JSON.parse(JSON.stringify(c))));

function groupsFor(error: 'exact' | 'sign'): { random: Group[]; boundary: Group[] } {
  const random: Group[] = [], boundary: Group[] = [];
  const model = loadModel('loihi');
  for (let k = 0; k < CASES; k++) {
    const c = randomCase({ rule: 'ltl-online', seed: SEED, fixedPoint: model, error, updateAt: 'step', input: 'spikes' }, k);
    const tr = trace(c);
    random.push(...groupsOfCase(k, c, tr));
    const b = boundaryCase(c, tr);
    if (b) boundary.push(...groupsOfCase(CASES + k, b, trace(b)).slice(0, 1));
  }
  return { random, boundary };
}

/** On a mismatch: a VCD of both sides of the first failing group, named in the failure message. */
function explain(dir: string, vvp: string, groups: Group[], messages: string[]): string {
  const m = /case (\d+) layer (\d+)/.exec(messages[0] ?? '');
  const g = m ? groups.find((x) => x.caseIndex === Number(m[1]) && x.layer === Number(m[2])) : undefined;
  if (!g) return messages.join('\n');
  const stim = join(dir, 'failing.txt');
  writeFileSync(stim, stimulusText([g]));
  runBench(vvp, stim, join(dir, 'rtl.vcd'));
  expectedVcd(g, join(dir, 'ncsim.vcd'));
  return `${messages.join('\n')}\nVCDs: ${join(dir, 'rtl.vcd')} (RTL), ${join(dir, 'ncsim.vcd')} (ncsim)`;
}

describe.runIf(HAS || process.env.CI === 'true')('RTL co-simulation (Icarus Verilog)', () => {
  it('has iverilog (CI installs it: .ci/run)', () => {
    expect(HAS).toBe(true);
  });

  for (const error of ['sign', 'exact'] as const) {
    describe(`the ${error} circuit`, () => {
      let dir = '';
      let set: { random: Group[]; boundary: Group[] };
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), `ncsim-rtl-${error}-`));
        set = groupsFor(error);
      }, 120_000);

      it(`replays ${CASES} random cases and the gate-edge cases bit for bit`, () => {
        const groups = [...set.random, ...set.boundary];
        const stim = join(dir, 'stim.txt');
        writeFileSync(stim, stimulusText(groups));
        const vvp = compileBench(dir, error === 'sign');
        const r = runBench(vvp, stim);
        expect(r.groups).toBe(groups.length);
        expect(r.mismatches, explain(dir, vvp, groups, r.messages)).toBe(0);
        // not vacuous: the cases learn (weights move) and gates open
        const changed = groups.filter((g) => g.lines[6] !== g.lines[g.lines.length - 1].split(' ').slice(2 * Number(g.lines[0].split(' ')[2])).join(' '));
        expect(changed.length).toBeGreaterThan(groups.length / 4);
        expect(set.boundary.length).toBeGreaterThan(CASES / 4);
        expect(r.checks).toBeGreaterThan(50 * groups.length);
      }, 120_000);

      it('catches the boxcar comparison widened by one LSB', () => {
        const stim = join(dir, 'boundary.txt');
        writeFileSync(stim, stimulusText(set.boundary));
        const vvp = compileBench(dir, error === 'sign', true);
        const r = runBench(vvp, stim, undefined, true);
        expect(r.mismatches).toBe(1);
        expect(r.messages[0]).toMatch(/^MISMATCH case \d+ layer 0 step \d+ signal gate index 0 rtl 1 ncsim 0/);
        // what a failing run leaves: both sides of the failing group as VCDs
        expect(explain(dir, vvp, set.boundary, r.messages)).toMatch(/VCDs: .*rtl\.vcd \(RTL\), .*ncsim\.vcd \(ncsim\)/);
        expect(readFileSync(join(dir, 'rtl.vcd'), 'utf8')).toMatch(/\$var .* open_i /);
        expect(readFileSync(join(dir, 'ncsim.vcd'), 'utf8')).toMatch(/\$var wire 1 \S+ gate_0 \$end/);
      }, 120_000);
    });
  }
});
