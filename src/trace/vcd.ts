/**
 * A trace as a VCD file (value change dump, IEEE 1364-2005 §18), for waveform viewers (GTKWave).
 * One time unit is one time step: #0 holds the state before step 1, #t the values of step t, and
 * #(T+1) the weights after the end of the sample (where "sample" updates land). Per layer (a
 * scope) and neuron (a scope `n<i>`): `spike` (1-bit wire), `membrane` (U[t] before its reset,
 * the readout's o[t]), `current` (the input current I[t]; Loihi's u), `count` (C[t], 32-bit
 * unsigned), `bias` and the neuron's incoming weights `w<j>`, each dumped only when it changes.
 * Number format: float cases write reals (`r<value>`, full precision); Loihi cases write two's
 * complement vectors (`b<bits>`) 24 bits wide for membrane, current and bias, 9 for weights.
 */
import type { Case } from './case.js';
import type { LoihiCase } from './loihi-case.js';
import { isLoihiCase } from './loihi-case.js';
import type { Trace, Waveforms } from './trace.js';
import type { LoihiTrace } from './loihi-trace.js';

/** Bits of Loihi's state (u, v: 24, Lava's AbstractPyLifModelFixed) and of its weights (8 plus sign). */
export const LOIHI_STATE_BITS = 24;
export const LOIHI_WEIGHT_BITS = 9;
const COUNT_BITS = 32;

interface Signal { id: string; kind: 'wire' | 'real' | 'reg'; bits: number; name: string; last?: string }

/**
 * VCD identifier codes: printable ASCII 33..126 but '#' and '$' (a token starting with them reads
 * as a time or a keyword to some tools), shortest first.
 */
const ID_CHARS = Array.from({ length: 94 }, (_, k) => String.fromCharCode(33 + k)).filter((c) => c !== '#' && c !== '$').join('');

function idCode(n: number): string {
  let s = '';
  do {
    s += ID_CHARS[n % ID_CHARS.length];
    n = Math.floor(n / ID_CHARS.length);
  } while (n > 0);
  return s;
}

/** Scope names may not hold whitespace (VCD tokens are whitespace-separated). */
function scopeName(name: string): string {
  return name.replace(/[^\x21-\x7e]/g, '_');
}

function twosComplement(x: number, bits: number): string {
  const v = BigInt.asUintN(bits, BigInt(x));
  return v.toString(2).padStart(bits, '0');
}

function encode(s: Signal, x: number): string {
  if (s.kind === 'wire') return `${x !== 0 ? 1 : 0}${s.id}`;
  if (s.kind === 'real') return `r${x === 0 ? 0 : x} ${s.id}`;
  return `b${twosComplement(x, s.bits)} ${s.id}`;
}

export function traceVcd(c: Case | LoihiCase, trace: Trace | LoihiTrace, waves: Waveforms): string {
  const fixed = isLoihiCase(c);
  const T = trace.steps;
  const signals: Signal[] = [];
  const header: string[] = [
    '$version ncsim trace $end',
    `$comment ${fixed ? 'Loihi fixed point (integers, two\'s complement)' : 'float (reals)'}; one time unit is one time step $end`,
    '$timescale 1 ns $end',
  ];
  const add = (kind: Signal['kind'], bits: number, name: string): Signal => {
    const s: Signal = { id: idCode(signals.length), kind, bits, name };
    signals.push(s);
    header.push(`$var ${kind} ${bits} ${s.id} ${name} $end`);
    return s;
  };
  const num = (bits: number, name: string) => (fixed ? add('reg', bits, name) : add('real', 64, name));

  // per step t (0..T+1): [signal, value] pairs
  const at: [Signal, number][][] = Array.from({ length: T + 2 }, () => []);
  c.layers.forEach((l, n) => {
    const lt = trace.layers[l.name] as { u: number[][]; s: number[][]; count: number[][]; current?: number[][] };
    const current = waves.current[l.name] ?? lt.current;
    const spiking = current !== undefined;
    header.push(`$scope module ${scopeName(l.name)} $end`);
    for (let i = 0; i < l.nOut; i++) {
      header.push(`$scope module n${i} $end`);
      const membrane = num(LOIHI_STATE_BITS, 'membrane');
      at[0].push([membrane, 0]);
      for (let t = 1; t <= T; t++) at[t].push([membrane, lt.u[t - 1][i]]);
      if (spiking) {
        const spike = add('wire', 1, 'spike');
        const cur = num(LOIHI_STATE_BITS, 'current');
        const count = add('reg', COUNT_BITS, 'count');
        at[0].push([spike, 0], [cur, 0], [count, 0]);
        for (let t = 1; t <= T; t++) at[t].push([spike, lt.s[t - 1][i]], [cur, current[t - 1][i]], [count, lt.count[t - 1][i]]);
      }
      const bias = num(LOIHI_STATE_BITS, 'bias');
      const w = Array.from({ length: l.nIn }, (_, j) => num(LOIHI_WEIGHT_BITS, `w${j}`));
      for (let t = 0; t <= T + 1; t++) {
        at[t].push([bias, waves.bias[t][n][i]]);
        w.forEach((s, j) => at[t].push([s, waves.weights[t][n][i * l.nIn + j]]));
      }
      header.push('$upscope $end');
    }
    header.push('$upscope $end');
  });
  header.push('$enddefinitions $end');

  const body: string[] = [];
  for (let t = 0; t <= T + 1; t++) {
    const changes: string[] = [];
    for (const [s, x] of at[t]) {
      const v = encode(s, x);
      if (v !== s.last) changes.push(v);
      s.last = v;
    }
    if (t === 0) body.push('#0', '$dumpvars', ...changes, '$end');
    else body.push(`#${t}`, ...changes);
  }
  return header.join('\n') + '\n' + body.join('\n') + '\n';
}
