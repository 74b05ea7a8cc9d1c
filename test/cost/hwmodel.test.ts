import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  describeModel, listModels, loadModel, modelNames, parseHwModel, readModelFile,
} from '../../src/cost/hwmodel.js';
import { hwModelsDir } from '../../src/node/platform.js';
import { SHIPPED_MODEL_FILES } from '../../src/cost/shipped-models.js';
import { ACTION_NAMES } from '../../src/cost/actions.js';
import { exitStatusFor, InputError } from '../../src/io/errors.js';
import { TINY_PATH } from './fixtures.js';

const SHIPPED = ['generic45', 'loihi', 'loihi-2018', 'rram', 'xylo'];
const tinyJson = () => JSON.parse(readFileSync(TINY_PATH, 'utf8'));

/** The InputError thrown by f (fails the test if none). */
function refusal(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect(exitStatusFor(e)).toBe(2);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

/** Every quantity-like object of a parsed JSON file, with its path. */
function quantities(o: unknown, path = ''): [string, Record<string, unknown>][] {
  if (typeof o !== 'object' || o === null) return [];
  if (!Array.isArray(o) && 'value' in o) return [[path, o as Record<string, unknown>]];
  return Object.entries(o).flatMap(([k, v]) => quantities(v, `${path}.${k}`));
}

describe('shipped hardware models', () => {
  it('are found from the sources, and by the bundle layout', () => {
    expect(resolve(hwModelsDir())).toBe(resolve('hw-models'));
    const root = mkdtempSync(join(tmpdir(), 'ncsim-hw-'));
    mkdirSync(join(root, 'dist'));
    mkdirSync(join(root, 'hw-models'));
    expect(hwModelsDir(join(root, 'dist'))).toBe(join(root, 'hw-models')); // dist/cli.js
    mkdirSync(join(root, 'src', 'cost'), { recursive: true });
    expect(hwModelsDir(join(root, 'src', 'node'))).toBe(join(root, 'hw-models')); // src/node/platform.ts
    expect(() => hwModelsDir(join(tmpdir(), 'nowhere-ncsim', 'a', 'b'))).toThrow(/hw-models folder was not found/);
  });

  it('are bundled for a browser as they are on disk, every one of them', () => {
    expect(Object.keys(SHIPPED_MODEL_FILES).sort()).toEqual(modelNames().map((n) => `hw-models/${n}.json`).sort());
    for (const n of modelNames()) {
      expect(SHIPPED_MODEL_FILES[`hw-models/${n}.json`]).toEqual(JSON.parse(readFileSync(join(hwModelsDir(), `${n}.json`), 'utf8')));
    }
  });

  it('are the five models, each valid', () => {
    expect(modelNames()).toEqual(SHIPPED);
    const list = listModels();
    expect(list.map((m) => m.name)).toEqual(SHIPPED);
    for (const s of list) {
      const m = loadModel(s.name);
      expect(m.name).toBe(s.name);
      expect(Object.keys(m.actions).sort()).toEqual([...ACTION_NAMES].sort());
    }
  });

  it('write a source beside every number', () => {
    for (const name of SHIPPED) {
      const raw = JSON.parse(readFileSync(join(hwModelsDir(), `${name}.json`), 'utf8'));
      const qs = quantities(raw);
      expect(qs.length).toBeGreaterThan(60);
      for (const [path, q] of qs) {
        if (path.endsWith('appliesTo') || path.endsWith('inputSource')) continue; // choices, not numbers
        expect(typeof q.source, `${name}${path}`).toBe('string');
        expect((q.source as string).length, `${name}${path}`).toBeGreaterThan(5);
        expect(typeof q.unit, `${name}${path}`).toBe('string');
      }
    }
  });

  it('carry the figures of their sources', () => {
    // loihi: SANA-FE's silicon-calibrated per-event figures and barrier table.
    const c = loadModel('loihi');
    expect(c.actions['synapse.read'].energy.value).toBe(35.5);
    expect(c.actions['synapse.read'].latency.value).toBe(4.0);
    expect(c.actions['neuron.update'].energy.value).toBeCloseTo(51.2 + 21.6, 10);
    expect(c.actions['neuron.spike'].latency.value).toBe(30);
    expect(c.noc.packetSent.energy.value).toBe(111);
    expect(c.noc.packetReceived.latency.value).toBe(16);
    expect(c.barrier.latency.value).toBeCloseTo(600, 9);
    expect(c.barrier.byTiles?.map((e) => [e.tiles, Math.round(e.latency.value)])).toEqual([[2, 1000], [4, 1400], [29, 1800]]);
    expect(c.static.powerPerCore.value).toBe(0);
    // loihi-2018: the pre-silicon figures of Davies et al. 2018, Table 2.
    const l = loadModel('loihi-2018');
    expect(l.actions['synapse.read'].energy.value).toBe(23.6);
    expect(l.actions['synapse.read'].latency.value).toBe(3.5); // 3.5 ns at the notional 1 GHz
    expect(l.actions['learn.update'].energy.value).toBe(120);
    expect(l.actions['neuron.update'].energy.value + l.actions['neuron.spike'].energy.value).toBe(81);
    expect(l.noc.hopX.energy.value).toBe(3.0);
    expect(l.noc.hopY.energy.value).toBe(4.0);
    expect(l.cores.synapseMemoryPerCore.value).toBe(128 * 1024);
    expect(l.barrier.latency.value).toBe(299);
    const r = loadModel('rram');
    expect(r.bits.weight.value).toBe(5);
    expect(r.nonIdealities.onOffRatio.value).toBe(10);
    expect(r.nonIdealities.adcBits.value).toBe(5);
    expect(r.nonIdealities.writeVariationC2C.value).toBe(0.003);
    expect(r.nonIdealities.readNoiseSigma.value).toBe(0.03);
    const x = loadModel('xylo');
    expect([x.cores.neuronsPerCore.value, x.bits.weight.value, x.bits.state.value]).toEqual([1000, 8, 16]);
    expect(x.static.powerPerCore.value).toBeCloseTo(219e-6, 12);
    const g = loadModel('generic45');
    expect(g.actions['synapse.read'].energy.value).toBe(2.5); // 20 pJ per 64 bits / 8 int8 weights
  });

  it('are described number by number, with units and sources', () => {
    const m = loadModel('loihi-2018');
    const text = describeModel(m);
    expect(text).toMatch(/^loihi-2018 — /);
    expect(text).toMatch(/actions\["synapse.read"\]\.energy\s+23\.6 pJ\s+# Davies et al\., IEEE Micro 38\(1\) 2018, Table 2/);
    expect(text).toMatch(/actions\["synapse.read"\]\.latency\s+3\.5 cycles \(= 3\.5 ns\)/);
    expect(text).toMatch(/static\.powerPerCore\s+0\.00023 W \(= 0\.23 mW\)/);
    for (const a of ACTION_NAMES) expect(text).toContain(`actions["${a}"].energy`);
    for (const line of text.split('\n').slice(text.split('\n').indexOf('') + 1)) expect(line).toMatch(/ # \S/);
  });
});

describe('loading a model', () => {
  it('by name or by path', () => {
    expect(loadModel('loihi').path).toBe(join(hwModelsDir(), 'loihi.json'));
    expect(loadModel(TINY_PATH).name).toBe('tiny');
    expect(loadModel('./test/cost/tiny.hw.json').name).toBe('tiny');
  });

  it('refuses an unknown name, listing the shipped ones', () => {
    const e = refusal(() => loadModel('loihi2'));
    expect(e.message).toMatch(/^hardware model "loihi2": expected one of generic45, loihi, loihi-2018, rram, xylo/);
  });

  it('refuses a missing file and bad JSON', () => {
    expect(refusal(() => loadModel('./nope/none.json')).message).toMatch(/expected a readable hardware model file/);
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-hw-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schema": ');
    expect(refusal(() => readModelFile(bad)).message).toMatch(/expected valid JSON/);
  });

  it('converts units to canonical ones and totals memory-priced actions', () => {
    const j = tinyJson();
    j.actions['synapse.read'].latency = { value: 3, unit: 'us', source: 'x' };
    j.actions['neuron.update'].energy = { value: 5000, unit: 'fJ', source: 'x' };
    const m = parseHwModel(j);
    expect(m.actions['synapse.read'].latency).toEqual({ value: 3, unit: 'cycles', source: 'x', given: { value: 3, unit: 'us' } });
    expect(m.actions['neuron.update'].energy.value).toBe(5);
    expect(m.clock.value).toBe(1e6);
    expect(m.static.powerPerCore.value).toBeCloseTo(1e-6, 18);
    expect(m.link.latency.value).toBeCloseTo(1e-3, 15);
    expect(m.actions['learn.error'].totalEnergy).toBe(5); // 4 + 1 B x 1 pJ/B
    expect(m.actions['state.write'].totalEnergy).toBe(2); // 0 + 1 B x 2 pJ/B
  });
});

describe('an invalid model is refused, naming the field', () => {
  const cases: [string, (j: any) => void, string | RegExp][] = [
    ['a wrong unit', (j) => { j.clock.unit = 'Mhz'; }, /field "clock.unit": expected one of "Hz", "kHz", "MHz", "GHz", got "Mhz"/],
    ['a misspelt latency unit (hw-models/README.md example)', (j) => { j.actions['synapse.read'].latency.unit = 'nS'; }, 'field "actions["synapse.read"].latency.unit": expected one of "cycles", "ns", "us", "s", got "nS"'],
    ['a latency unit on an energy', (j) => { j.actions['synapse.read'].energy.unit = 'ns'; }, /field "actions\["synapse.read"\].energy.unit": expected one of "pJ"/],
    ['a missing action', (j) => { delete j.actions['synapse.write']; }, /field "actions\["synapse.write"\]": expected a price for this action/],
    ['a misspelt action', (j) => { j.actions['synapse.raed'] = j.actions['synapse.read']; }, /field "actions\["synapse.raed"\]": expected an action name .* \(did you mean "synapse.read"\?\)/],
    ['a priced learn.dense', (j) => { j.actions['learn.dense'] = j.actions['learn.update']; }, /field "actions\["learn.dense"\]": expected no price/],
    ['a negative count', (j) => { j.cores.count.value = -1; }, /field "cores.count.value": expected a number > 0, got -1/],
    ['a fractional count', (j) => { j.cores.neuronsPerCore.value = 2.5; }, /field "cores.neuronsPerCore.value": expected an integer, got 2.5/],
    ['more cores than the mesh holds', (j) => { j.cores.count.value = 5; }, /field "cores.count.value": expected at most noc.mesh.x x noc.mesh.y x noc.mesh.coresPerTile = 4 cores, got 5/],
    ['a missing source', (j) => { delete j.bits.weight.source; }, /field "bits.weight.source": expected a non-empty string, got nothing/],
    ['an empty source', (j) => { j.bits.weight.source = ' '; }, /field "bits.weight.source": expected a non-empty string/],
    ['a bare number', (j) => { j.barrier.energy = 5; }, /field "barrier.energy": expected an object, got 5/],
    ['a string value', (j) => { j.noc.hopX.latency.value = '3'; }, /field "noc.hopX.latency.value": expected a finite number, got "3"/],
    ['a misspelt top-level key', (j) => { j.colck = j.clock; }, /field "colck": expected no such field .*\(did you mean "clock"\?\)/],
    ['a missing section', (j) => { delete j.link; }, /field "link": expected an object, got nothing/],
    ['a bad appliesTo', (j) => { j.static.appliesTo.value = 'some'; }, /field "static.appliesTo.value": expected one of "all-cores", "used-cores"/],
    ['a wrong schema', (j) => { j.schema = 'ncsim.hw/2'; }, /field "schema": expected "ncsim.hw\/1", got "ncsim.hw\/2"/],
    ['a missing phase of lanes', (j) => { delete j.cores.lanes.learning; }, /field "cores.lanes.learning": expected an object/],
    ['empty memory of an action', (j) => { j.actions['state.read'].memory = {}; }, /field "actions\["state.read"\].memory": expected readBytes and\/or writeBytes/],
    ['too wide an accumulator', (j) => { j.bits.accumulator.value = 40; }, /field "bits.accumulator.value": expected at most 32/],
  ];
  for (const [what, mutate, message] of cases) {
    it(what, () => {
      const j = tinyJson();
      mutate(j);
      const e = refusal(() => parseHwModel(j, '"tiny.hw.json"'));
      expect(e.message).toMatch(/^hardware model "tiny.hw.json" field /);
      expect(e.message).toMatch(message);
    });
  }

  it('from a file, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-hw-'));
    const j = tinyJson();
    j.noc.mesh.x.unit = 'tile';
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify(j));
    expect(refusal(() => loadModel(file)).message).toBe('hardware model "mine.json" field "noc.mesh.x.unit": expected one of "tiles", got "tile"');
  });
});
