// `ncsim trace --vcd`: the VCD read back by a small parser written here must give the trace's
// values at every step, for float cases (reals) and Loihi cases (two's complement vectors), and
// the weights as they change (initial at #0, final at #T+1 = initial + dW).
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, mkdtempSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAnyCaseFile } from '../../src/trace/case.js';
import { runTrace, emptyWaveforms, Trace } from '../../src/trace/trace.js';
import { traceVcd } from '../../src/trace/vcd.js';
import { isLoihiCase } from '../../src/trace/loihi-case.js';
import { loihiWeights } from '../../src/reference/loihi.js';

interface Var { kind: string; bits: number; id: string }
interface Vcd { vars: Map<string, Var>; changes: Map<string, [number, number][]>; end: number }

/** Parse the subset of IEEE 1364 VCD we write: $scope/$var/$upscope, #time, $dumpvars, r/b/0/1 changes. */
function parseVcd(text: string): Vcd {
  const vars = new Map<string, Var>();
  const byId = new Map<string, Var>();
  const changes = new Map<string, [number, number][]>();
  const tokens = text.split(/\s+/).filter(Boolean);
  const scope: string[] = [];
  let k = 0, time = -1, end = 0;
  const until = (word: string) => { const start = k; while (tokens[k] !== word) k++; k++; return tokens.slice(start, k - 1); };
  while (k < tokens.length) {
    const t = tokens[k++];
    if (t === '$scope') { const [, name] = until('$end'); scope.push(name); }
    else if (t === '$upscope') { until('$end'); scope.pop(); }
    else if (t === '$var') {
      const [kind, bits, id, name] = until('$end');
      const v = { kind, bits: Number(bits), id };
      vars.set([...scope, name].join('.'), v);
      byId.set(id, v);
      changes.set(id, []);
    } else if (t === '$version' || t === '$comment' || t === '$timescale' || t === '$date') until('$end');
    else if (t === '$enddefinitions') until('$end');
    else if (t === '$dumpvars' || t === '$end') continue;
    else if (t.startsWith('#')) { time = Number(t.slice(1)); end = time; }
    else if (t[0] === 'r') changes.get(tokens[k++])!.push([time, Number(t.slice(1))]);
    else if (t[0] === 'b') {
      const id = tokens[k++], v = byId.get(id)!;
      const u = BigInt('0b' + t.slice(1));
      // count is unsigned; every other vector is two's complement
      changes.get(id)!.push([time, Number(v.bits === 32 ? u : BigInt.asIntN(v.bits, u))]);
    } else if (t[0] === '0' || t[0] === '1') changes.get(t.slice(1))!.push([time, Number(t[0])]);
    else throw new Error(`unexpected VCD token ${t}`);
  }
  return { vars, changes, end };
}

/** The value of a signal at time t (the last change at or before t). */
function valueAt(v: Vcd, name: string, t: number): number {
  const id = v.vars.get(name)?.id;
  if (id === undefined) throw new Error(`no signal ${name}`);
  let x = NaN;
  for (const [time, val] of v.changes.get(id)!) if (time <= t) x = val;
  return x;
}

const dir = join(import.meta.dirname, '..', 'golden');
const names = readdirSync(dir).filter((f) => f.endsWith('.case.json')).map((f) => f.replace('.case.json', ''));

describe('VCD of every golden case, parsed back, equals the trace', () => {
  it('has float and Loihi cases', () => {
    expect(names.some((n) => n.startsWith('loihi'))).toBe(true);
    expect(names.some((n) => !n.startsWith('loihi'))).toBe(true);
  });
  for (const name of names) {
    it(name, () => {
      const c = readAnyCaseFile(join(dir, `${name}.case.json`));
      const waves = emptyWaveforms();
      const trace = runTrace(c, 'wasm', waves);
      const text = traceVcd(c, trace, waves);
      const v = parseVcd(text);
      const fixed = isLoihiCase(c);
      expect(v.end).toBe(trace.steps + 1);
      for (const [, s] of v.vars) {
        if (s.kind === 'real') expect(fixed).toBe(false);
        if (s.kind === 'reg' && s.bits !== 32) expect(fixed).toBe(true);
      }
      c.layers.forEach((l) => {
        const lt = trace.layers[l.name] as Trace['layers'][string] & { current?: number[][] };
        const spiking = waves.current[l.name] !== undefined;
        for (let i = 0; i < l.nOut; i++) {
          const at = (sig: string) => `${l.name}.n${i}.${sig}`;
          for (let t = 1; t <= trace.steps; t++) {
            expect(valueAt(v, at('membrane'), t), `${at('membrane')} #${t}`).toBe(lt.u[t - 1][i]);
            if (!spiking) continue;
            expect(valueAt(v, at('spike'), t)).toBe(lt.s[t - 1][i]);
            expect(valueAt(v, at('count'), t)).toBe(lt.count[t - 1][i]);
            expect(valueAt(v, at('current'), t)).toBe(waves.current[l.name][t - 1][i]);
            if (fixed) expect(valueAt(v, at('current'), t)).toBe(lt.current![t - 1][i]);
          }
          for (let j = 0; j < l.nIn; j++) {
            const w0 = valueAt(v, at(`w${j}`), 0), w1 = valueAt(v, at(`w${j}`), trace.steps + 1);
            if (fixed) {
              // Loihi weights as Lava's Dense stores them, unchanged (no learning)
              const stored = loihiWeights(l.weights.flat(), (l as { numWeightBits: number }).numWeightBits);
              expect(w0).toBe(stored[i * l.nIn + j]);
              expect(w1).toBe(w0);
            } else {
              expect(w0).toBe(Math.fround(l.weights[i][j]));
              expect(w1 - w0).toBe((trace as Trace).updates[l.name].dW[i][j]);
            }
          }
        }
      });
    });
  }

  it('weights that change within the sample ("step" updates) change in the VCD at that step', () => {
    const c = readAnyCaseFile(join(dir, 'lif-zero-sign-step-warmup.case.json'));
    const waves = emptyWaveforms();
    const trace = runTrace(c, 'wasm', waves);
    const v = parseVcd(traceVcd(c, trace, waves));
    const times = new Set<number>();
    for (const [name, s] of v.vars) if (/\.w\d+$/.test(name)) for (const [t] of v.changes.get(s.id)!) times.add(t);
    // updated during the sample (before its last step), not only at the end
    expect([...times].some((t) => t > 0 && t < trace.steps)).toBe(true);
  });
});

describe('VCD of a larger Loihi case (hundreds of signals, multi-character identifiers)', () => {
  it('every identifier is unique and every value reads back', () => {
    const nIn = 16, nOut = 20, T = 12;
    const c = readAnyCaseFile(join(dir, 'loihi-wrap-saturate.case.json'));
    if (!isLoihiCase(c)) throw new Error('expected a Loihi case');
    const big = {
      ...c,
      neuron: { ...c.neuron, vth: 40, du: 1000, dv: 300 },
      layers: [{
        ...c.layers[0], nIn, nOut, du: 1000, dv: 300, vth: 40, weightExp: 0,
        weights: Array.from({ length: nOut }, (_, i) => Array.from({ length: nIn }, (_, j) => ((i * 7 + j * 13) % 61) - 30)),
        biasMant: Array.from({ length: nOut }, (_, i) => i * 50 - 400), biasExp: new Array(nOut).fill(1),
      }],
      input: Array.from({ length: T }, (_, t) => Array.from({ length: nIn }, (_, j) => ((t * 3 + j) % 4 === 0 ? 1 : 0))),
      steps: T,
    };
    const waves = emptyWaveforms();
    const trace = runTrace(big, 'ts', waves);
    const v = parseVcd(traceVcd(big, trace, waves));
    const ids = [...v.vars.values()].map((x) => x.id);
    expect(ids.length).toBe(nOut * (5 + nIn));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => id.length > 1)).toBe(true);
    let spikes = 0;
    for (let i = 0; i < nOut; i++) {
      for (let t = 1; t <= T; t++) {
        expect(valueAt(v, `a.n${i}.membrane`, t)).toBe(trace.layers.a.u[t - 1][i]);
        expect(valueAt(v, `a.n${i}.current`, t)).toBe(trace.layers.a.current[t - 1][i]);
        spikes += valueAt(v, `a.n${i}.spike`, t);
      }
    }
    expect(spikes).toBe(trace.layers.a.s.flat().filter((x) => x !== 0).length);
    expect(spikes).toBeGreaterThan(0);
  });
});

describe('ncsim trace --vcd', () => {
  const root = join(import.meta.dirname, '..', '..');
  const cli = join(root, 'dist', 'cli.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  const loihiCase = join(dir, 'loihi-wrap-saturate.case.json');

  it('writes the VCD next to the trace; the file equals the library\'s', () => {
    const d = mkdtempSync(join(tmpdir(), 'ncsim-vcd-'));
    const r = run('trace', loihiCase, '--vcd', join(d, 'w.vcd'), '--backend', 'ts');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe('ncsim.trace/1');
    const c = readAnyCaseFile(loihiCase);
    const waves = emptyWaveforms();
    expect(readFileSync(join(d, 'w.vcd'), 'utf8')).toBe(traceVcd(c, runTrace(c, 'wasm', waves), waves));
  });

  it('a bad output path: exit 2, the option named, nothing written', () => {
    const d = mkdtempSync(join(tmpdir(), 'ncsim-vcd-'));
    for (const bad of [join(d, 'absent', 'w.vcd'), d, '']) {
      const r = run('trace', loihiCase, '--vcd', bad, '--out', join(d, 't.json'));
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/option "--vcd"/);
      expect(existsSync(join(d, 't.json'))).toBe(false);
    }
    const same = run('trace', loihiCase, '--vcd', join(d, 'x'), '--out', join(d, 'x'));
    expect(same.status).toBe(2);
    expect(existsSync(join(d, 'x'))).toBe(false);
  });
});
