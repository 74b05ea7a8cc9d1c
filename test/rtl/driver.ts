/**
 * The TypeScript half of the RTL co-simulation (docs/rtl.md): turns ncsim's random fixed-point
 * cases and their traces into the stimulus/expected file rtl/tb_ltl_learn.v reads (one neuron
 * group per layer of a case), runs Icarus Verilog on it, and writes ncsim's side of a group
 * as a VCD when the RTL disagrees.
 *
 * What the host programs into the circuit is computed here, from the trace's integers and the
 * case's real-valued options, exactly as ncsim's fixed-point chip derives them
 * (src/chip/fixed-point.ts): f32 1/s_w, 1/s_u, -eta, h; the gate's H = ceil(p/2 / s_u); and,
 * for the sign circuit, (K, R) such that floor(f32(x + u)) = K + (u*2^24 >= R) for
 * x = f32(+-eta / s_w) (and / s_u for the bias), u the 24-bit uniform draw.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Trace } from '../../src/trace/trace.js';
import type { CaseJson } from '../../src/trace/random-cases.js';

export const RTL_DIR = resolve(__dirname, '../../rtl');
export const N_MAX = 8;
export const M_MAX = 8;

const f32 = Math.fround;
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
export function f32Hex(x: number): string {
  F32[0] = x;
  return U32[0].toString(16).padStart(8, '0');
}

/** The write generator's rounding of a change of x LSBs (assembly/device.ts lsbChange), for draw r24. */
function roundedChange(x: number, r24: number): number {
  const q = Math.floor(f32(x + f32(r24 * 2 ** -24)));
  return Math.max(-(2 ** 30), Math.min(2 ** 30, q));
}

/** K = the change at u = 0 and R the smallest 24-bit draw that adds one (2^24: none). */
export function stochasticThreshold(x: number): [number, number] {
  const k = roundedChange(x, 0);
  if (roundedChange(x, 2 ** 24 - 1) === k) return [k, 2 ** 24];
  if (roundedChange(x, 2 ** 24 - 1) !== k + 1) throw new Error(`rounding of ${x} spans more than one LSB`);
  let lo = 0, hi = 2 ** 24 - 1; // f(lo) = k, f(hi) = k + 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (roundedChange(x, mid) === k) lo = mid;
    else hi = mid;
  }
  return [k, hi];
}

export interface Group { caseIndex: number; layer: number; name: string; lines: string[] }

const bit = (v: number, what: string): number => {
  if (v !== 0 && v !== 1) throw new Error(`${what}: the RTL takes 0/1 presynaptic spikes, got ${v}`);
  return v;
};

/** The stimulus/expected lines of every layer of one fixed-point ltl-online case (updates at "step", spike input). */
export function groupsOfCase(caseIndex: number, c: CaseJson, tr: Trace): Group[] {
  const rule = c.rule as { learningRate: number; warmup: number; error: string; updateAt: string };
  const sur = c.surrogate as { width: number; height: string };
  const neuron = c.neuron as { delay: number };
  const layers = c.layers as { name: string }[];
  const input = c.input as number[][];
  const targets = c.targets as Record<string, number[]>;
  if (rule.updateAt !== 'step') throw new Error('the RTL writes at every step: updateAt "step" only');
  const T = tr.steps, d = neuron.delay;
  const negLr = f32(-rule.learningRate);
  const height = sur.height === 'unit' ? 1 : f32(1 / sur.width);
  return layers.map((l, n) => {
    const fx = tr.fixedPoint![l.name], lt = tr.layers[l.name];
    const nOut = fx.threshold.length, nIn = fx.weights0[0].length;
    if (nOut > N_MAX || nIn > M_MAX) throw new Error(`layer ${l.name}: ${nOut}x${nIn} exceeds the RTL's ${N_MAX}x${M_MAX}`);
    const invSw = f32(1 / fx.weightLsb), invSu = f32(1 / fx.membraneLsb);
    const m = f32(-negLr); // m for sign(zeta) < 0; the other sign is -m
    const kr = [f32(m * invSw), f32(-m * invSw), f32(m * invSu), f32(-m * invSu)].map(stochasticThreshold);
    const H = Math.min(2 ** 23, Math.ceil(fx.halfWindow));
    const tq = targets[l.name].map((y) => {
      const q = y * 256;
      if (!Number.isInteger(q)) throw new Error(`target ${y} is not a multiple of 1/256`);
      return q;
    });
    const lines: string[] = [
      `${caseIndex} ${n} ${nOut} ${nIn} ${T} ${rule.warmup} ${H} ${fx.writeSeed}`,
      `${f32Hex(negLr)} ${f32Hex(height)} ${f32Hex(invSw)} ${f32Hex(invSu)}`,
      kr.map(([k, r]) => `${k} ${r}`).join(' '),
      `${tr.events[l.name].updates}`,
      fx.threshold.join(' '),
      tq.join(' '),
      fx.weights0.flat().join(' ') + ' ' + fx.bias0.join(' '),
    ];
    for (let t = 1; t <= T; t++) {
      const src = t - d;
      const pre = src < 1 ? new Array<number>(nIn).fill(0) : n === 0 ? input[src - 1] : tr.layers[layers[n - 1].name].s[src - 1];
      const u = fx.u[t - 1];
      const gate = u.map((v, i) => (t > rule.warmup && Math.abs(v - fx.threshold[i]) < fx.halfWindow ? 1 : 0));
      lines.push(
        [...pre.map((v) => bit(v, `case ${caseIndex} input`)), ...lt.s[t - 1], ...u].join(' '),
        [...lt.count[t - 1], ...gate, ...fx.w[t - 1], ...fx.b[t - 1]].join(' '),
      );
    }
    return { caseIndex, layer: n, name: l.name, lines };
  });
}

export function stimulusText(groups: Group[]): string {
  return `${groups.length}\n${groups.map((g) => g.lines.join('\n')).join('\n')}\n`;
}

export interface RtlRun { groups: number; checks: number; mismatches: number; messages: string[]; output: string }

/** Compile the test bench for one circuit (exact or sign, optionally with the injected bug). */
export function compileBench(dir: string, sign: boolean, bug = false): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `tb-${sign ? 'sign' : 'exact'}${bug ? '-bug' : ''}.vvp`);
  execFileSync('iverilog', [
    '-g2005', '-I', RTL_DIR, `-Ptb.ERROR_SIGN=${sign ? 1 : 0}`, ...(bug ? ['-DBUG_BOXCAR_LSB'] : []),
    '-o', out, join(RTL_DIR, 'tb_ltl_learn.v'), join(RTL_DIR, 'ltl_learn.v'),
  ]);
  return out;
}

/** Run a compiled bench on a stimulus file; a VCD of the RTL side when `vcd` is given; firstOnly: stop at the first mismatch. */
export function runBench(vvp: string, stim: string, vcd?: string, firstOnly = false): RtlRun {
  const output = execFileSync('vvp', ['-n', vvp, `+stim=${stim}`, ...(vcd ? [`+vcd=${vcd}`] : []), ...(firstOnly ? ['+first'] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /RESULT groups (\d+) checks (\d+) mismatches (\d+)/.exec(output);
  if (!m) throw new Error(`the test bench printed no RESULT line:\n${output}`);
  return {
    groups: Number(m[1]), checks: Number(m[2]), mismatches: Number(m[3]),
    messages: output.split('\n').filter((l) => l.startsWith('MISMATCH')), output,
  };
}

/** ncsim's side of one group as a VCD (counts, gates, weights, biases per step; 1 step = 1 ns). */
export function expectedVcd(g: Group, file: string): void {
  const [head] = g.lines;
  const [, , nOut, nIn, T] = head.split(' ').map(Number);
  const signals: { name: string; width: number; at: (exp: number[]) => number }[] = [];
  for (let i = 0; i < nOut; i++) signals.push({ name: `count_${i}`, width: 8, at: (e) => e[i] });
  for (let i = 0; i < nOut; i++) signals.push({ name: `gate_${i}`, width: 1, at: (e) => e[nOut + i] });
  for (let k = 0; k < nOut * nIn; k++) signals.push({ name: `w_${Math.floor(k / nIn)}_${k % nIn}`, width: 8, at: (e) => e[2 * nOut + k] });
  for (let i = 0; i < nOut; i++) signals.push({ name: `bias_${i}`, width: 24, at: (e) => e[2 * nOut + nOut * nIn + i] });
  const id = (k: number): string => String.fromCharCode(33 + (k % 90)) + (k >= 90 ? String.fromCharCode(33 + Math.floor(k / 90)) : '');
  const bin = (v: number, w: number): string => (v < 0 ? (2 ** w + v) : v).toString(2).padStart(w, '0');
  const out = ['$timescale 1ns $end', `$scope module ncsim_case${g.caseIndex}_${g.name} $end`];
  signals.forEach((s, k) => out.push(`$var wire ${s.width} ${id(k)} ${s.name} $end`));
  out.push('$upscope $end', '$enddefinitions $end');
  for (let t = 1; t <= T; t++) {
    const exp = g.lines[7 + 2 * (t - 1) + 1].split(' ').map(Number);
    out.push(`#${t}`);
    signals.forEach((s, k) => out.push(s.width === 1 ? `${s.at(exp)}${id(k)}` : `b${bin(s.at(exp), s.width)} ${id(k)}`));
  }
  writeFileSync(file, out.join('\n') + '\n');
}

/**
 * The case with its surrogate width moved so that, at its first learning step, neuron 0 of the
 * first layer sits exactly on the boxcar's edge: |U - theta| = p/2 in membrane LSBs, the gate
 * shut by one LSB (a random window almost never lands there). U at that step does not depend
 * on the width (nothing was learned before it). null when U = theta there or T <= warm-up.
 */
export function boundaryCase(c: CaseJson, tr: Trace): CaseJson | null {
  const rule = c.rule as { warmup: number };
  const first = (c.layers as { name: string }[])[0].name, fx = tr.fixedPoint![first];
  const t0 = rule.warmup + 1;
  if (t0 > tr.steps) return null;
  const dist = Math.abs(fx.u[t0 - 1][0] - fx.threshold[0]);
  if (dist < 1) return null;
  const su = fx.membraneLsb;
  let width = 2 * dist * su;
  // the chip's window in LSBs is (p / 2) * (1 / s_u) in f64: step p down until it is <= dist
  for (let k = 0; k < 8 && (width / 2) * (1 / su) > dist; k++) width -= Number.EPSILON * width;
  if ((width / 2) * (1 / su) > dist || (width / 2) * (1 / su) <= dist - 1) return null;
  return { ...c, surrogate: { ...(c.surrogate as object), width } };
}
