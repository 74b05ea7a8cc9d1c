/**
 * Reading a stored activity record (`ncsim.activity/1`, src/cost/activity.ts) back, for
 * re-costing a saved run on another hardware model (`ncsim cost RUN.json --hw OTHER`). Accepts
 * the activity itself or a train report that carries it under `activity`. Every refusal is an
 * InputError naming the field (`phases.train.counters.h1["synapse.read"]`).
 *
 * Decisions: unknown counter names are refused (a count the cost model cannot price must not
 * be dropped silently); a counter absent from a layer's record counts 0; every layer must have
 * a counter record in each phase; other unknown keys are ignored (forward compatibility).
 */
import { baseName } from '../io/paths.js';
import { InputError } from '../io/errors.js';
import { checkDocumentSchema, readJsonDocument } from '../io/document.js';
import { RUN_SCHEMA } from '../io/kinds.js';
import { Activity, ActivityLayer, ActivityPhase, ACTIVITY_SCHEMA } from './activity.js';
import { COUNTER_NAMES } from './actions.js';
import { childPath } from './hwmodel.js';
import type { ConvGeometry } from '../model/types.js';
import { checkGeometry, convWeightCount } from '../reference/conv.js';

type Obj = Record<string, unknown>;

export function parseActivity(json: unknown, label = '(inline)'): Activity {
  const kind = `activity ${label} field`;
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new InputError(path || '(the file)', expected, got, { kind });
  };
  const obj = (v: unknown, path: string): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
    return v as Obj;
  };
  const int = (o: Obj, k: string, path: string, min: number): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(childPath(path, k), `an integer >= ${min}`, v);
    return v as number;
  };
  const num = (o: Obj, k: string, path: string): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(childPath(path, k), 'a finite number >= 0', v);
    return v as number;
  };
  const bool = (o: Obj, k: string, path: string): boolean => {
    const v = o[k];
    if (typeof v !== 'boolean') fail(childPath(path, k), 'true or false', v);
    return v as boolean;
  };

  let root = obj(json, '');
  if (root.schema !== ACTIVITY_SCHEMA && (root.activity !== undefined || root.kind !== undefined)) {
    // A train report carrying its activity: the same kind and version checks as `ncsim report`.
    checkDocumentSchema(root, RUN_SCHEMA, kind);
    root = obj(root.activity, 'activity');
  }
  if (root.schema !== ACTIVITY_SCHEMA) fail('schema', `"${ACTIVITY_SCHEMA}" (an activity record), or a train report with "kind": "${RUN_SCHEMA.value}"`, root.schema);
  if (typeof root.rule !== 'string') fail('rule', 'a string', root.rule);

  if (!Array.isArray(root.layers) || root.layers.length === 0) fail('layers', 'a non-empty array of layers', root.layers);
  const names = new Set<string>();
  const layers: ActivityLayer[] = (root.layers as unknown[]).map((lv, i) => {
    const p = childPath('layers', i);
    const l = obj(lv, p);
    if (typeof l.name !== 'string' || l.name === '') fail(childPath(p, 'name'), 'a non-empty string', l.name);
    if (names.has(l.name as string)) fail(childPath(p, 'name'), 'a name no other layer has', l.name);
    names.add(l.name as string);
    const layer: ActivityLayer = {
      name: l.name as string,
      nIn: int(l, 'nIn', p, 1),
      nOut: int(l, 'nOut', p, 1),
      readout: bool(l, 'readout', p),
      analogInput: bool(l, 'analogInput', p),
      learningStateBytes: int(l, 'learningStateBytes', p, 0),
    };
    if (l.fixed !== undefined) layer.fixed = bool(l, 'fixed', p);
    if (l.conv !== undefined) {
      // A convolution: its geometry must be whole and give the layer's sizes.
      const cp = childPath(p, 'conv');
      const c = obj(l.conv, cp);
      const depthwise = bool(c, 'depthwise', cp);
      const g: ConvGeometry = {
        inChannels: int(c, 'inChannels', cp, 1), inHeight: int(c, 'inHeight', cp, 1), inWidth: int(c, 'inWidth', cp, 1),
        channels: int(c, 'channels', cp, 1), height: int(c, 'height', cp, 1), width: int(c, 'width', cp, 1),
        kernelHeight: int(c, 'kernelHeight', cp, 1), kernelWidth: int(c, 'kernelWidth', cp, 1), stride: int(c, 'stride', cp, 1),
        padding: int(c, 'padding', cp, 0), depthwise,
      };
      const bad = checkGeometry(g);
      if (bad) fail(cp, `a convolution geometry that holds together (${bad})`, l.conv);
      if (g.inChannels * g.inHeight * g.inWidth !== layer.nIn || g.channels * g.height * g.width !== layer.nOut) {
        fail(cp, `a geometry of ${layer.nIn} inputs and ${layer.nOut} neurons`, l.conv);
      }
      layer.conv = g;
      layer.weights = convWeightCount(g);
    }
    return layer;
  });

  const h = obj(root.host, 'host');
  const host = {
    teacherFlopsPerSample: num(h, 'teacherFlopsPerSample', 'host'),
    bytesToChipPerSample: num(h, 'bytesToChipPerSample', 'host'),
    bytesToHostPerSample: num(h, 'bytesToHostPerSample', 'host'),
  };

  const ph = obj(root.phases, 'phases');
  const phase = (key: 'train' | 'test'): ActivityPhase => {
    const p = childPath('phases', key);
    const o = obj(ph[key], p);
    const cp = childPath(p, 'counters');
    const co = obj(o.counters, cp);
    const counters: ActivityPhase['counters'] = {};
    for (const l of layers) {
      const lp = childPath(cp, l.name);
      const c = obj(co[l.name], lp);
      const out: Record<string, number> = {};
      for (const k of Object.keys(c)) {
        if (!COUNTER_NAMES.includes(k)) fail(childPath(lp, k), `a counter name (one of ${COUNTER_NAMES.join(', ')})`, k);
        out[k] = num(c, k, lp);
      }
      counters[l.name] = out;
    }
    return { samples: int(o, 'samples', p, 0), steps: int(o, 'steps', p, 0), learning: bool(o, 'learning', p), counters };
  };

  const phases = { train: phase('train'), test: phase('test') };
  for (const key of ['train', 'test'] as const) {
    const p = phases[key];
    // counts without samples would be priced per sample as x / 0
    if (p.samples === 0 && (p.steps > 0 || Object.values(p.counters).some((c) => Object.values(c).some((x) => x > 0)))) {
      fail(`phases.${key}.samples`, 'an integer >= 1 (the phase has steps or counts)', p.samples);
    }
  }
  if (phases.train.samples === 0 && phases.test.samples === 0) {
    fail('phases.test.samples', 'an integer >= 1 (a run that simulated no sample has nothing to price)', phases.test.samples);
  }

  return {
    schema: ACTIVITY_SCHEMA,
    rule: root.rule as string,
    timeWindow: int(root, 'timeWindow', '', 1),
    inputSize: int(root, 'inputSize', '', 1),
    layers,
    host,
    phases,
    samplesPerEpoch: int(root, 'samplesPerEpoch', '', 0),
  };
}

/** Read an activity (or a train report carrying one) from a JSON file. */
export function readActivityFile(file: string): Activity {
  const json = readJsonDocument(file, { kind: 'run file', what: `a JSON activity record (${ACTIVITY_SCHEMA}) or train report` });
  return parseActivity(json, JSON.stringify(baseName(file)));
}
